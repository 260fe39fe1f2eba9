export { type CommandIo, processIo } from './command-io';
export { main } from './main';
