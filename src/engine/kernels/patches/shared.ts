/** IM2COL's and COL2IM's attributes: where the patch of output pixel (y, x) starts: y - top, x - left; oh x ow output pixels per image. */
export interface PatchAttrs {
  kh: number;
  kw: number;
  top: number;
  left: number;
  oh: number;
  ow: number;
  imageShape: number[];
  /** IM2COL only: write the patches as [R, P] */
  transposed?: boolean;
}
