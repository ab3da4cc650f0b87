// Fails while the module loads.
'use strict';

throw new Error('cannot start: configuration missing');
