// Deliberately wrong: the dashboard may reach the engine only over HTTP.
import { b } from '../core/b';

export const View = () => b;
