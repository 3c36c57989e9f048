/** tfjs's 'same' padding for stride 1: the total k - 1, the smaller half before. */
export const padBefore = (k: number, padding: 'same' | 'valid') => (padding === 'same' ? Math.floor((k - 1) / 2) : 0);
