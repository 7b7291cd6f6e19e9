import type { z } from 'zod';

/** One message per field that fails, keyed by the field's name. */
export type FieldErrors<K extends string = string> = Partial<Record<K, string>>;

/** A number input that the user has emptied (`v-model.number` gives '' then). */
export type NumberField = number | '';

/**
 * Validates form values against a contract schema and returns the first message for each failing field, worded
 * for a person ("must be at least 1") rather than zod's default ("Too small: expected number to be >=1"). Empty
 * number inputs are reported as "Enter a number" instead of falling back to the schema's default.
 */
export function validateFields<S extends z.ZodObject>(
  schema: S,
  values: Record<string, unknown>,
): { errors: FieldErrors<Extract<keyof z.input<S>, string>>; value: z.output<S> | null } {
  const errors: Record<string, string> = {};
  const present: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    if (value === '' || (typeof value === 'number' && Number.isNaN(value))) errors[key] = 'Enter a number';
    else present[key] = value;
  }
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0] ?? '');
      if (key && !(key in errors)) errors[key] = humanMessage(issue);
    }
  }
  const ok = parsed.success && Object.keys(errors).length === 0;
  return { errors, value: ok ? parsed.data : null };
}

function humanMessage(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'too_small':
      return issue.inclusive === false
        ? `must be greater than ${String(issue.minimum)}`
        : `must be at least ${String(issue.minimum)}`;
    case 'too_big':
      return issue.inclusive === false
        ? `must be less than ${String(issue.maximum)}`
        : `must be at most ${String(issue.maximum)}`;
    case 'invalid_type':
      // The contract's own wording ("must be a whole number") wins over zod's "Invalid input: expected int…".
      if (!issue.message.startsWith('Invalid input')) return issue.message;
      return issue.expected === 'int'
        ? 'must be a whole number'
        : issue.expected === 'number'
          ? 'Enter a number'
          : 'Choose a value';
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).join(', ')}`;
    default:
      return issue.message;
  }
}
