import type { Db } from '../../platform/db/database.js'
import { LANGUAGES, loadMessages, Translator, type Language, type Translate } from '../../platform/i18n/i18n.js'
import { detect, type ComponentRound, type Measurement } from './detection.js'
import type { DetectionSettings } from './detection-settings.js'
import { claimRound, loadDetections, openDraft, saveDetection } from './detection-store.js'
import type { Bilingual, Component } from './model.js'
import { componentName } from './names.js'
import { measure, pruneTraffic } from './probes.js'
import { closeDraft, loadComponents } from './store.js'

interface Logger {
  info(details: object, message: string): void
  warn(details: object, message: string): void
}

export interface DetectionDeps {
  db: Db
  settings: DetectionSettings
  log: Logger
}

/** The same words in both languages, from the locale files. */
function bilingual(texts: Record<Language, Translate>, say: (t: Translate, lang: Language) => string): Bilingual {
  return { en: say(texts.en, 'en'), sw: say(texts.sw, 'sw') }
}

const rounded = (m: Measurement) => (m.signal === 'database-latency' || m.signal === 'queue-lag' ? Math.round(m.value) : Math.round(m.value * 10) / 10)

/** What the probes measured, with the numbers, for the draft incident and the administrators' page. */
function reasonFor(t: Translate, round: ComponentRound, rounds: number): string {
  const measured = round.breaches.map((m) => t(`statusDetection.reasons.${m.signal}`, { value: rounded(m), limit: m.limit, sample: m.sample ?? 0 }))
  return [...measured, t('statusDetection.sustained', { rounds })].join(' ')
}

/**
 * One probe round, numbered `round` (the interval since the epoch it falls in, so every worker numbers
 * rounds alike). Only the worker that claims the round probes it; the others return undefined. A
 * component that stays in breach for the configured rounds is marked degraded and gets a draft incident;
 * one that passes for the configured rounds is cleared and its unpublished draft closed.
 */
export async function runDetectionRound(deps: DetectionDeps, round: number, texts = translations()): Promise<ComponentRound[] | undefined> {
  const { db, settings } = deps
  if (!(await claimRound(db, round))) return undefined
  const now = new Date()
  const measurements = await measure(db, settings, now)
  const results = detect(measurements, await loadDetections(db), { breach: settings.statusBreachRounds, recovery: settings.statusRecoveryRounds })
  let components: Component[] | undefined
  for (const result of results) {
    const { component, previous, next, change } = result
    if (previous.state === next.state && previous.streak === next.streak) continue
    if (change === 'degraded') {
      const known = (components ??= await loadComponents(db))
      const reason = bilingual(texts, (t) => reasonFor(t, result, settings.statusBreachRounds))
      const title = bilingual(texts, (t, lang) => t('statusDetection.draftTitle', { component: componentName(known, component, lang, t) }))
      // The draft is opened only by the worker whose write of the round won, and the unique index
      // backs that up: one draft per component however many workers run.
      const opened = await db.transaction().execute(async (trx) => (await saveDetection(trx, component, next, round, reason)) && openDraft(trx, { component, title, message: reason }))
      deps.log.warn({ component, round, draft: opened || undefined, reason: reason.en }, 'status detection: component degraded')
    } else if (change === 'recovered') {
      const message = bilingual(texts, (t) => t('statusDetection.recovered', { rounds: settings.statusRecoveryRounds }))
      const closed = await db.transaction().execute(async (trx) => (await saveDetection(trx, component, next, round)) && closeDraft(trx, { component }, message, null))
      deps.log.info({ component, round, closedDraft: closed || undefined }, 'status detection: component recovered')
    } else {
      await saveDetection(db, component, next, round)
    }
  }
  // Counts older than two windows are read by no probe again.
  await pruneTraffic(db, new Date(now.getTime() - 2 * settings.statusWindowSeconds * 1000))
  return results
}

function translations(): Record<Language, Translate> {
  const translator = new Translator(loadMessages())
  return Object.fromEntries(LANGUAGES.map((lang) => [lang, translator.for(lang)])) as Record<Language, Translate>
}

/**
 * Runs the probes every `statusProbeIntervalSeconds` in a worker process, until stopped. A round that
 * fails (the database away) is logged and the next tries again; a round still running when the next is
 * due is left to finish, and the next is skipped rather than stacked behind it.
 */
export function startDetection(deps: DetectionDeps): { stop(): Promise<void> } {
  const intervalMs = deps.settings.statusProbeIntervalSeconds * 1000
  const texts = translations()
  let running: Promise<unknown> | undefined
  const tick = () => {
    if (running) return
    const round = Math.floor(Date.now() / intervalMs)
    running = runDetectionRound(deps, round, texts)
      .catch((error: unknown) => deps.log.warn({ err: error, round }, 'status detection round failed'))
      .finally(() => {
        running = undefined
      })
  }
  const timer = setInterval(tick, intervalMs)
  timer.unref()
  return {
    stop: async () => {
      clearInterval(timer)
      await running
    },
  }
}
