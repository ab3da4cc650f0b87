// A module that fails while loading: the worker reports an init error and exits.
'use strict';

throw new Error('this module cannot be loaded');
