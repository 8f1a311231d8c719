/**
 * The settings of automatic detection (the status page's probes), in the same shape as the portal's
 * other settings; src/config.ts spreads them in. Defaults detect a lasting problem in about 30 seconds
 * (three rounds ten seconds apart), well within the minute the status page promises.
 */

import { blank, ModuleSettingError, type Setting } from '../../platform/module-settings.js'

export interface DetectionSettings {
  statusProbeIntervalSeconds: number
  statusBreachRounds: number
  statusRecoveryRounds: number
  statusWindowSeconds: number
  statusDatabaseLatencyMs: number
  statusQueueLagSeconds: number
  statusErrorRatePercent: number
  statusGatewayFailurePercent: number
  statusMessageFailurePercent: number
  statusMinimumSample: number
}

/** A bad detection setting (the name says which module's). */
export class DetectionSettingError extends ModuleSettingError {}

function whole(variable: string, min: number, max: number, fallback: number) {
  return (raw: string | undefined): number => {
    if (blank(raw)) return fallback
    const text = (raw as string).trim()
    if (!/^\d+$/.test(text)) throw new DetectionSettingError(variable, `must be a whole number (got "${text}")`)
    const value = Number(text)
    if (value < min || value > max) throw new DetectionSettingError(variable, `must be between ${min} and ${max} (got ${text})`)
    return value
  }
}

function setting(variable: string, description: string, min: number, max: number, fallback: number): Setting<number> {
  return { variable, description, defaultText: String(fallback), read: whole(variable, min, max, fallback) }
}

export const DETECTION_SETTINGS = {
  statusProbeIntervalSeconds: setting('STATUS_PROBE_INTERVAL_SECONDS', 'How often worker processes probe the portal for the status page.', 1, 300, 10),
  statusBreachRounds: setting('STATUS_BREACH_ROUNDS', 'Probe rounds in a row a threshold must be breached before a component is marked degraded and a draft incident opened.', 1, 100, 3),
  statusRecoveryRounds: setting('STATUS_RECOVERY_ROUNDS', 'Probe rounds in a row that must pass before the automatic degraded state clears.', 1, 100, 3),
  statusWindowSeconds: setting('STATUS_WINDOW_SECONDS', 'How far back error rates and delivery failures are counted.', 10, 3600, 120),
  statusDatabaseLatencyMs: setting('STATUS_DATABASE_LATENCY_MS', 'A database round trip slower than this degrades the portal.', 0, 60_000, 500),
  statusQueueLagSeconds: setting('STATUS_QUEUE_LAG_SECONDS', 'A background job waiting longer than this to start degrades the portal.', 1, 3600, 60),
  statusErrorRatePercent: setting('STATUS_ERROR_RATE_PERCENT', "Share of a component's requests answered with a server error that degrades it.", 1, 100, 10),
  statusGatewayFailurePercent: setting('STATUS_GATEWAY_FAILURE_PERCENT', 'Share of M-Pesa gateway calls failing or timing out that degrades M-Pesa prompts.', 1, 100, 25),
  statusMessageFailurePercent: setting('STATUS_MESSAGE_FAILURE_PERCENT', 'Share of recent emails (or SMS) failing to send that degrades that channel.', 1, 100, 25),
  statusMinimumSample: setting('STATUS_MINIMUM_SAMPLE', 'Fewest requests, gateway calls or messages in the window before a failure rate counts.', 1, 1_000_000, 10),
} satisfies { [K in keyof DetectionSettings]: Setting<DetectionSettings[K]> }
