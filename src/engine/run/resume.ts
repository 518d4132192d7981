import type * as tf from '@tensorflow/tfjs';
import type { ModelResult, RunFailure, RunSnapshot, SweepProgress } from '../types';

/** What an interrupted sweep left: its teacher (once trained), the students it finished, the model it was training. */
export interface ResumeFrom {
  /** The trained teacher and its result; absent when the sweep stopped during the teacher's training. */
  teacher?: tf.LayersModel;
  teacherResult?: ModelResult;
  students: ModelResult[];
  failures?: RunFailure[];
  startedAt: string;
  /** The model that was training, as of its last finished epoch. */
  inProgress?: RunSnapshot;
}

/**
 * The one way a sweep is resumed — after a reload (the worker), a lost device (runResilient) or a
 * killed headless run (its checkpoint file): from what the sweep had finished, the epoch snapshot of
 * the model in training, and a way to load the trained teacher back. Without its teacher only a
 * snapshot of the teacher itself is worth going on from.
 */
export async function resumeFrom(
  progress: SweepProgress,
  snapshot: RunSnapshot | undefined,
  loadTeacher: (() => Promise<tf.LayersModel>) | null,
): Promise<ResumeFrom> {
  if (progress.teacher && loadTeacher) {
    return {
      teacher: await loadTeacher(),
      teacherResult: progress.teacher,
      students: progress.students,
      failures: progress.failures,
      startedAt: progress.startedAt,
      inProgress: snapshot,
    };
  }
  return {
    students: [],
    failures: [],
    startedAt: progress.startedAt,
    inProgress: snapshot?.label === 'Teacher' ? snapshot : undefined,
  };
}
