// A handler at a nested property path in a subdirectory: _HANDLER=lib/nested.api.v1.handler.
'use strict';

module.exports.api = {
  v1: {
    handler: async (event) => ({ nested: true, path: event.path }),
  },
};
