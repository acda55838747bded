// Pending state and the last error, in words, per action key ("launch", "node:3", …),
// so that a view shows an error where the action was started, not in a global toast.
import { reactive } from 'vue'
import { errorInWords } from '../api'

export interface ActionTracker {
  /** Keys of the actions in flight. */
  readonly pending: Record<string, boolean>
  /** The last failure of each key, in words (cleared when it runs again). */
  readonly errors: Record<string, string>
  run<T>(key: string, action: () => Promise<T>): Promise<T | undefined>
  dismiss(key: string): void
}

export function createActionTracker(): ActionTracker {
  const pending = reactive<Record<string, boolean>>({})
  const errors = reactive<Record<string, string>>({})
  return {
    pending,
    errors,
    async run<T>(key: string, action: () => Promise<T>): Promise<T | undefined> {
      pending[key] = true
      delete errors[key]
      try {
        return await action()
      } catch (e) {
        errors[key] = errorInWords(e)
        return undefined
      } finally {
        delete pending[key]
      }
    },
    dismiss(key: string): void {
      delete errors[key]
    },
  }
}
