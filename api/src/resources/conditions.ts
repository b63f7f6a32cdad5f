// Status conditions in the shape of metav1.Condition, so kubectl, kstatus and `kubectl wait
// --for=condition=...` understand them.
import { s, Infer } from '../schema/index.js';

export const conditionSchema = s
  .object({
    type: s.string({ minLength: 1, maxLength: 316 }).describe('Kind of condition, in CamelCase (for example Available); at most one entry per type.'),
    status: s.enum(['True', 'False', 'Unknown'] as const).describe('Whether the condition holds: True, False or Unknown.'),
    observedGeneration: s.integer({ minimum: 0 }).describe('The metadata.generation of the resource that this condition was computed from.').optional(),
    lastTransitionTime: s.string({ format: 'date-time' }).describe('When the status of this condition last changed (RFC 3339).'),
    reason: s
      .string({ minLength: 1, maxLength: 1024, pattern: /^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/ })
      .describe('One CamelCase word saying why the condition has its status, for programs to match on.'),
    message: s.string({ maxLength: 32768 }).describe('A sentence for humans: what was expected, what was found and what to do.'),
  })
  .describe('One observation of the state of the resource.');

export type Condition = Infer<typeof conditionSchema>;
export type ConditionStatus = Condition['status'];

export const conditionsSchema = s
  .array(conditionSchema)
  .describe('The latest observations of the resource, one per condition type.');
