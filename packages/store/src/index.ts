/** @sandtable/store — persistence (being built). */
export {};
