export const MMSIM_VERSION = '0.1.0';
