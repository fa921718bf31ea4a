// The alerts part as one starter (issue 7, parts as processes): notification channels, the
// escalation job (node-cron) and the rules engine with its alarm states, which it restores
// from the records store. Run in exactly one process: the alarm state machine and the
// escalation timers must not be doubled (docs/deployment.md, "Keeping singletons alone").
import type { Config } from '../../core/config.ts'
import type { Credentials } from '../../core/credentials.ts'
import type { Logger } from '../../core/log.ts'
import type { Registry } from 'prom-client'
import { startAlerts, type Alerts } from '../../alerts/service.ts'
import { loadChannels } from '../../alerts/notify/config.ts'
import { createDispatcher } from '../../alerts/notify/dispatcher.ts'
import { escalationNotifier } from '../../alerts/notify/route.ts'
import { startEscalation } from '../../alerts/routing/escalation.ts'
import type { AlarmRecords } from '../../store/types.ts'

export interface AlertingContext {
  config: Config
  log: Logger
  metrics: Registry
  credentials: Credentials
  records: AlarmRecords
  /** notifier settings channels.yaml refers to (DINGTALK_WEBHOOK, SMTP_URL, …) */
  env: Record<string, string | undefined>
  publish: (topic: string, payload: string) => void
}

export interface Alerting {
  alerts: Alerts
  escalation: ReturnType<typeof loadChannels>['escalation']
  /** what /healthz shows for the part */
  status: string
  close(): Promise<void>
}

export async function startAlerting(ctx: AlertingContext): Promise<Alerting> {
  const { config, log, records } = ctx
  // Notification: who is on duty (people.yaml), escalation, and the channels (channels.yaml).
  const channels = loadChannels(config.configDir, ctx.env, config.people)
  const dispatcher = createDispatcher({
    channels,
    log: log.child({ part: 'notify' }),
    onDelivery: (d) => void records.addDeliveries([{ ...d }]).catch((err) => log.error({ err }, 'could not store a delivery')),
  })
  let describe: (key: string) => string | undefined = () => undefined
  const escalation = startEscalation({
    people: config.people,
    timezone: config.plant.timezone,
    escalation: channels.escalation,
    log: log.child({ part: 'escalation' }),
    onEscalate: escalationNotifier({
      dispatcher,
      publicUrl: config.publicUrl,
      ackSecret: ctx.credentials.sessionSecret,
      ackTtlMs: channels.ackTokenTtlMs,
      timezone: config.plant.timezone,
      describe: (change) => ({ description: describe(change.alarm.key) }),
    }),
  })
  let alerts: Alerts
  try {
    alerts = await startAlerts({
      plant: config.plant,
      people: config.people,
      configDir: config.configDir,
      log,
      metrics: ctx.metrics,
      records,
      publish: ctx.publish,
      // Condition evaluation on its own thread: the main thread reads the devices' sockets.
      thread: true,
      onChanges: (changes) => changes.forEach((c) => escalation.observe(c)),
    })
  } catch (err) {
    escalation.stop()
    dispatcher.close()
    throw err
  }
  describe = (key) => alerts.engine.ruleOf(key)?.description
  let closed = false
  return {
    alerts,
    escalation: channels.escalation,
    status: dispatcher.channels.length ? `running, notifying by ${dispatcher.channels.join(', ')}` : 'running (no notification channel configured)',
    async close() {
      if (closed) return
      closed = true
      // Reverse of the start: the engine stores its last changes, then the timers and channels stop.
      await alerts.close()
      escalation.stop()
      await dispatcher.close()
    },
  }
}
