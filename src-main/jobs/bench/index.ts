/**
 * Benchmarks against the PyTorch peer: the suite table (training, import and generation images/s on the active
 * backend, the peer's training figures and the ratio, both sides swept over thread counts and judged at their
 * best) and the −ELBO parity check. This file is the room's door.
 */
export {
  runBenchSuite,
  SUITE_DEFAULT_REPEATS,
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
  ratioOf,
  markdownTable,
  peerLine,
  cpuLine,
  threadTable,
} from './report.js';
export {
  bestSetting,
  defaultThreadCounts,
  median,
  relativeSpread,
  runThreadSweep,
  summarizeSetting,
  threadWords,
  type SettingFigures,
  type SweepPlan,
  type SweepResult,
  type SweepRunners,
} from './threadSweep.js';
export { measureTraining, type TrainingRowInput, type TrainingSweep } from './trainingRow.js';
export {
  defaultOursSettings,
  oursBenchArgs,
  oursCommand,
  parseOursBench,
  runOursChild,
  type OursBench,
  type OursSettings,
} from './oursChild.js';
export {
  busyWarning,
  othersShare,
  readCpuSnapshot,
  watchCpuUse,
  BUSY_WARN_SHARE,
  type CpuSnapshot,
  type CpuUse,
} from './cpuUse.js';
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
