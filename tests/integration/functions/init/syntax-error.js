// Does not parse.
'use strict';

exports.handler = async (event) => {
  return { ok: true ;
};
