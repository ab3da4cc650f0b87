// Handlers that end badly: the runtime must report the invocation and the process must exit, or
// the invocation must end without hanging.
'use strict';

exports.uncaught = async () => {
  setTimeout(() => {
    throw new Error('thrown from a timer');
  }, 5);
  await new Promise((resolve) => setTimeout(resolve, 100));
  return 'too late';
};

exports.unhandledRejection = async () => {
  Promise.reject(new Error('nobody handles this'));
  await new Promise((resolve) => setTimeout(resolve, 50));
  return 'too late';
};

exports.neverSettles = () => new Promise(() => {});

exports.ok = async (event) => ({ ok: event.n });
