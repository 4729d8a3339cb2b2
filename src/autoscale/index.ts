/** The HPA controller as pure functions, and the simulator built on it. */
export * from './types.js';
export * from './replica-calculator.js';
export * from './hpa.js';
export * from './traffic.js';
export * from './simulator.js';
export * from './compare.js';
