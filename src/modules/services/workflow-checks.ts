import type { Workflow } from './definition.js'
import type { Problem } from './schema-check.js'

/**
 * A workflow is a graph an application can always get through: one start, stages that exist, every
 * stage reachable from the start, and from every stage a way to an end. An application can never be
 * stranded in a stage nobody can move it out of.
 */
export function checkWorkflow(workflow: Workflow): Problem[] {
  const problems: Problem[] = []
  const report = (path: Problem['path'], message: string) => problems.push({ path, message })
  const { stages, transitions } = workflow
  const ids = new Set<string>()
  stages.forEach((stage, index) => {
    if (ids.has(stage.id)) report(['workflow', 'stages', index, 'id'], `stage id "${stage.id}" is used more than once`)
    ids.add(stage.id)
    if (stage.end && stage.start) report(['workflow', 'stages', index], 'a stage cannot be both the start and an end')
    if (stage.end && (stage.slaWorkingDays !== undefined || stage.appointment)) {
      report(['workflow', 'stages', index], 'an end stage has no SLA and no appointment: nothing happens after it')
    }
  })

  const starts = stages.filter((stage) => stage.start)
  if (starts.length !== 1) report(['workflow', 'stages'], `the workflow needs exactly one start stage (found ${starts.length})`)
  const ends = new Set(stages.filter((stage) => stage.end).map((stage) => stage.id))
  if (!stages.some((stage) => stage.end === 'issued')) report(['workflow', 'stages'], 'the workflow needs an end stage with end: issued, where the document is issued')

  const next = new Map<string, string[]>()
  const pairs = new Set<string>()
  transitions.forEach((transition, index) => {
    const path = ['workflow', 'transitions', index]
    for (const side of ['from', 'to'] as const) {
      if (!ids.has(transition[side])) report([...path, side], `unknown stage "${transition[side]}"`)
    }
    if (ends.has(transition.from)) report([...path, 'from'], `"${transition.from}" is an end stage: no transition leaves it`)
    if (transition.from === transition.to) report(path, 'a transition must lead to another stage')
    // Four eyes compares two staff members: on a transition no staff member takes, it means nothing.
    if (transition.fourEyes && transition.by.every((actor) => actor === 'applicant' || actor === 'system')) {
      report([...path, 'fourEyes'], 'fourEyes needs a staff role in "by": only staff decisions have a second pair of eyes')
    }
    const pair = `${transition.from}→${transition.to}`
    if (pairs.has(pair)) report(path, `the transition from "${transition.from}" to "${transition.to}" is declared twice`)
    pairs.add(pair)
    next.set(transition.from, [...(next.get(transition.from) ?? []), transition.to])
  })
  if (problems.length || !starts[0]) return problems

  const reachable = walk([starts[0].id], (id) => next.get(id) ?? [])
  stages.forEach((stage, index) => {
    if (!reachable.has(stage.id)) report(['workflow', 'stages', index, 'id'], `stage "${stage.id}" cannot be reached from the start`)
  })
  const previous = new Map<string, string[]>()
  for (const transition of transitions) previous.set(transition.to, [...(previous.get(transition.to) ?? []), transition.from])
  const finishing = walk([...ends], (id) => previous.get(id) ?? [])
  stages.forEach((stage, index) => {
    if (!finishing.has(stage.id)) report(['workflow', 'stages', index, 'id'], `from stage "${stage.id}" no end stage can be reached`)
  })
  return problems
}

function walk(from: string[], neighbours: (id: string) => string[]): Set<string> {
  const seen = new Set(from)
  const queue = [...from]
  while (queue.length) {
    for (const id of neighbours(queue.shift() as string)) {
      if (!seen.has(id)) {
        seen.add(id)
        queue.push(id)
      }
    }
  }
  return seen
}
