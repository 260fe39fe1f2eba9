import { y } from '../cli/y';
export const x = y;
