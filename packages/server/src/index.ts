/** @sandtable/server — HTTP API (being built). */
export {};
