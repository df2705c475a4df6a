/**
 * The commit message: a subject naming the plan id or the tasks, and a body with one line per
 * object (kind, name, target) so `git log` alone tells a reviewer what will run where. Pure.
 */
import { ANNOTATIONS, LABELS } from '../domain/labels.js';
import type { KubeObject } from '../cluster/types.js';
import type { GitopsFlavor } from './types.js';

function target(object: KubeObject): string | undefined {
  const spec = object.spec as { target?: { nodeRef?: { name?: string } } } | undefined;
  return spec?.target?.nodeRef?.name ?? object.metadata.labels?.[LABELS.node];
}

function taskKind(object: KubeObject): string {
  const spec = object.spec as { kind?: string } | undefined;
  return object.kind === 'SeiNodeTask' && spec?.kind ? spec.kind : object.kind;
}

function summarize(values: string[], max = 3): string {
  const unique = [...new Set(values)];
  return unique.length <= max ? unique.join(', ') : `${unique.slice(0, max).join(', ')} +${unique.length - max} more`;
}

export function commitMessage(objects: KubeObject[], flavor: GitopsFlavor, options: { planId?: string; message?: string } = {}): string {
  const planIds = [...new Set(objects.map((o) => o.metadata.labels?.[LABELS.planId]).filter((v): v is string => Boolean(v)))];
  const planId = options.planId ?? (planIds.length === 1 ? planIds[0] : undefined);
  const planName = objects.map((o) => o.metadata.annotations?.[ANNOTATIONS.planName]).find(Boolean);
  const targets = objects.map(target).filter((v): v is string => Boolean(v));
  const kinds = objects.map(taskKind);
  const on = targets.length > 0 ? ` on ${summarize(targets)}` : '';
  let subject: string;
  if (options.message) subject = options.message;
  else if (planId) subject = `sei: plan ${planName ? `${planName} ` : ''}${planId} (${objects.length} object${objects.length === 1 ? '' : 's'}: ${summarize(kinds)})${on}`;
  else if (objects.length === 1) subject = `sei: ${kinds[0]} ${objects[0]!.metadata.name}${on}`;
  else subject = `sei: ${objects.length} objects (${summarize(kinds)})${on}`;

  const body = objects.map((object) => {
    const step = object.metadata.labels?.[LABELS.planStep];
    const where = target(object);
    return `- ${taskKind(object)} ${object.metadata.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata.name}${where ? ` -> ${where}` : ''}${step ? ` (step ${step})` : ''}`;
  });
  const trailer = [`Sei-Gitops-Flavor: ${flavor}`, ...(planId ? [`Sei-Plan-Id: ${planId}`] : [])];
  return `${subject}\n\n${body.join('\n')}\n\n${trailer.join('\n')}\n`;
}
