/**
 * A value loaded at most once per `ttlMs` in this process, shared by concurrent callers. For data that
 * changes rarely and is read on hot pages (agencies on the home page), so a busy page costs no query.
 */
export function cached<T>(ttlMs: number, load: () => Promise<T>, now: () => number = Date.now): () => Promise<T> {
  let value: { data: T; expires: number } | undefined
  let loading: Promise<T> | undefined
  return async () => {
    if (value && value.expires > now()) return value.data
    loading ??= load()
      .then((data) => {
        value = { data, expires: now() + ttlMs }
        return data
      })
      .finally(() => {
        loading = undefined
      })
    return loading
  }
}
