// Requires a package that is not installed.
'use strict';

const missing = require('no-such-package-for-gatehouse-tests');

exports.handler = async () => missing();
