// Pods and a Deployment as the local runtime's replicas: the mapping behind RUNTIME on Kubernetes,
// from recorded object shapes; an HPA's conditions, pod metrics and events as drover's.
import type {IDeployment} from 'kubernetes-models/apps/v1/Deployment'
import type {IPod} from 'kubernetes-models/v1/Pod'
import {describe, expect, it} from 'vitest'
import {forwardedEvent, observeWorkload, usageOf} from '../../../src/runtime/kubernetes/observe.js'

const key = {workspace: 'public', name: 'w'}
const deployment = (revision: string, extra: Partial<IDeployment> = {}): IDeployment => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {name: 'w', labels: {'drover.dev/revision': revision}},
  spec: {replicas: 2, selector: {}, template: {}},
  ...extra,
})
const pod = (name: string, revision: string, status: IPod['status'], created = '2026-11-24T10:00:00Z'): IPod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {name, creationTimestamp: created as never, labels: {'drover.dev/revision': revision}},
  status,
})
const running = (ready: boolean): IPod['status'] => ({
  phase: 'Running',
  conditions: [{type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: '2026-11-24T10:00:05Z' as never}],
  containerStatuses: [
    {
      name: 'worker',
      image: 'x',
      imageID: '',
      ready,
      restartCount: 0,
      state: {running: {startedAt: '2026-11-24T10:00:01Z' as never}},
    },
  ],
})

describe('observeWorkload', () => {
  it('maps running pods to ready replicas of their revision, in creation order', () => {
    const o = observeWorkload(key, deployment('r2'), [
      pod('w-b', 'r2', running(false), '2026-11-24T10:00:02Z'),
      pod('w-a', 'r2', running(true), '2026-11-24T10:00:01Z'),
    ])
    expect(o.revision).toBe('r2')
    expect(o.desiredReplicas).toBe(2)
    expect(o.replicas.map((r) => [r.id, r.index, r.phase, r.ready, r.revision])).toEqual([
      ['w-a', 0, 'Running', true, 'r2'],
      ['w-b', 1, 'Running', false, 'r2'],
    ])
    expect(o.rolloutBlocked).toBe(false)
  })

  it('says CrashLoopBackOff, OOMKilled and unschedulable as the local runtime says them', () => {
    const o = observeWorkload(key, deployment('r1'), [
      pod('w-a', 'r1', {
        phase: 'Running',
        containerStatuses: [
          {
            name: 'worker',
            image: 'x',
            imageID: '',
            ready: false,
            restartCount: 6,
            state: {waiting: {reason: 'CrashLoopBackOff', message: 'back-off 2m40s restarting failed container'}},
            lastState: {terminated: {exitCode: 137, reason: 'OOMKilled', finishedAt: '2026-11-24T10:01:00Z' as never}},
          },
        ],
      }),
      pod('w-b', 'r1', {
        phase: 'Pending',
        conditions: [
          {type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available'},
        ],
      }),
    ])
    expect(o.replicas[0]).toMatchObject({
      phase: 'Waiting',
      crashLooping: true,
      restarts: 6,
      lastExit: {code: 137, reason: 'OOMKilled', at: '2026-11-24T10:01:00Z'},
    })
    expect(o.replicas[1]).toMatchObject({phase: 'Starting', message: 'Unschedulable: 0/3 nodes are available'})
  })

  it('marks the rollout blocked at its deadline, or when new pods crash-loop beside old ones', () => {
    const deadline = deployment('r2', {
      status: {conditions: [{type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded'}]},
    })
    expect(observeWorkload(key, deadline, []).rolloutBlocked).toBe(true)
    const crashing: IPod['status'] = {
      phase: 'Running',
      containerStatuses: [
        {
          name: 'worker',
          image: 'x',
          imageID: '',
          ready: false,
          restartCount: 3,
          state: {waiting: {reason: 'CrashLoopBackOff'}},
        },
      ],
    }
    const mixed = observeWorkload(key, deployment('r2'), [pod('old', 'r1', running(true)), pod('new', 'r2', crashing)])
    expect(mixed.rolloutBlocked).toBe(true)
    expect(observeWorkload(key, deployment('r2'), [pod('new', 'r2', crashing)]).rolloutBlocked).toBe(false)
  })
})

describe('what else the cluster says', () => {
  it('takes the HPA’s conditions that drover’s autoscaler also reports, and each pod’s node', () => {
    const o = observeWorkload(
      key,
      deployment('r1'),
      [{...pod('w-a', 'r1', running(true)), spec: {containers: [], nodeName: 'node-7'}}],
      {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: {name: 'w'},
        spec: {maxReplicas: 4, scaleTargetRef: {kind: 'Deployment', name: 'w'}},
        status: {
          desiredReplicas: 2,
          conditions: [
            {type: 'AbleToScale', status: 'True', reason: 'ReadyForNewScale', message: 'ok'},
            {type: 'ScalingActive', status: 'False', reason: 'FailedGetResourceMetric', message: 'no metrics'},
            {type: 'SomethingNew', status: 'True'},
          ],
        },
      },
    )
    expect(o.scalingConditions).toEqual([
      {type: 'AbleToScale', status: 'True', reason: 'ReadyForNewScale', message: 'ok'},
      {type: 'ScalingActive', status: 'False', reason: 'FailedGetResourceMetric', message: 'no metrics'},
    ])
    expect(o.replicas[0]!.node).toBe('node-7')
    expect(observeWorkload(key, deployment('r1'), []).scalingConditions).toBeUndefined()
  })

  it('reads metrics-server’s quantities, summed over containers; anything unreadable is no figure', () => {
    expect(
      usageOf({
        containers: [{usage: {cpu: '250000000n', memory: '65536Ki'}}, {usage: {cpu: '5m', memory: '1Mi'}}],
      }),
    ).toEqual({cpuCores: 0.255, memoryBytes: 65 * 2 ** 20})
    expect(usageOf({containers: [{usage: {cpu: '1500u', memory: '100'}}]})).toEqual({
      cpuCores: 0.0015,
      memoryBytes: 100,
    })
    expect(usageOf({containers: [{usage: {cpu: 'lots', memory: '1Mi'}}]})).toBeUndefined()
    expect(usageOf({containers: []})).toBeUndefined()
    expect(usageOf(undefined)).toBeUndefined()
  })

  it('turns an event into one of drover’s, naming the object it is about', () => {
    expect(
      forwardedEvent({
        apiVersion: 'v1',
        kind: 'Event',
        metadata: {name: 'x'},
        involvedObject: {kind: 'Pod', name: 'w-abc'},
        type: 'Warning',
        reason: 'BackOff',
        message: 'Back-off restarting failed container',
      }),
    ).toEqual({type: 'Warning', reason: 'BackOff', message: 'pod w-abc: Back-off restarting failed container'})
    expect(
      forwardedEvent({
        apiVersion: 'v1',
        kind: 'Event',
        metadata: {name: 'y'},
        involvedObject: {kind: 'Deployment', name: 'w'},
      }),
    ).toEqual({type: 'Normal', reason: 'Unknown', message: 'deployment w:'})
  })
})
