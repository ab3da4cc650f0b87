// An ES module handler: _HANDLER=index.handler finds index.mjs.
export const handler = async (event) => ({ esm: true, n: event.n });
