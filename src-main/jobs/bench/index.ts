/**
 * Benchmarks against the PyTorch peer: the suite table (training, import and generation images/s on the active
 * backend, the peer's training figures and the ratio) and the −ELBO parity check. This file is the room's door.
 */
export {
  runBenchSuite,
  ratioOf,
  SUITE_DEFAULT_STEPS,
  type BenchSuiteInput,
  type BenchSuiteResult,
  type SuitePeer,
  type SuiteRow,
} from './suite.js';
export { runElboParity, type ElboParityInput, type ElboParityResult } from './elbo.js';
export {
  formatSuiteReport,
  formatElboReport,
  formatRate,
  formatRatio,
  markdownTable,
  peerLine,
} from './report.js';
export {
  defaultPeerSettings,
  defaultPython,
  parsePeerBench,
  parsePeerFit,
  peerBenchArgs,
  peerFitArgs,
  peerCommand,
  runPeer,
  type PeerBench,
  type PeerFit,
  type PeerOutcome,
  type PeerSettings,
} from './peer.js';
export { describeMachine, type MachineFacts } from './machine.js';
export { writeShapeSplits, SHAPE_SIZE, type ShapeSplits } from './shapes28.js';
