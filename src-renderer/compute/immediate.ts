/**
 * `setImmediate` for the browser, where it does not exist: the engine's trainer yields a macrotask between
 * steps with it, so that a cancel message gets to run. A MessageChannel message is a macrotask that, unlike
 * `setTimeout(0)`, is neither clamped to 4 ms nor throttled in a hidden window.
 */
declare global {
  function setImmediate(callback: () => void): number;
}

if (typeof globalThis.setImmediate !== 'function') {
  const channel = new MessageChannel();
  const callbacks: (() => void)[] = [];
  channel.port1.onmessage = () => callbacks.shift()?.();
  let next = 0;
  globalThis.setImmediate = (callback: () => void): number => {
    callbacks.push(callback);
    channel.port2.postMessage(null);
    return ++next;
  };
}

export {};
