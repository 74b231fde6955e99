// A stub HTTP server for the CLI start-up benchmark: it serves a 1,000-item list in drover's
// shape (GET /api/v1/resources, what `drover get -t worker -a` asks for, one page) and in
// Kubernetes' shape (any other path, what `kubectl get --raw` asks for), built once, so that
// the server costs next to nothing and the clients' own work is what differs.
import {createServer} from 'node:http'

const now = new Date().toISOString()
const droverList = JSON.stringify({
  items: Array.from({length: 1000}, (_, i) => ({
    manifest: {
      name: `w-${i}`,
      version: 'v1beta',
      type: 'worker',
      layer: 'user',
      worker: {stack: 'node', compute: 'runnable-default', replicas: 1, logLevel: 'INFO', dryRun: true},
    },
    metadata: {
      id: `worker:v1beta:w-${i}:public`,
      uid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      owner: 'admin',
      workspace: 'public',
      resourceVersion: String(1000 + i),
      generation: 1,
      createdAt: now,
      updatedAt: now,
    },
    status: {phase: 'DryRun', observedGeneration: 1, replicas: 0, readyReplicas: 0, desiredReplicas: 1, conditions: []},
  })),
})
const kubeList = JSON.stringify({
  kind: 'DeploymentList',
  apiVersion: 'apps/v1',
  metadata: {resourceVersion: '2000'},
  items: Array.from({length: 1000}, (_, i) => ({
    metadata: {
      name: `w-${i}`,
      namespace: 'public',
      uid: `uid-${i}`,
      resourceVersion: String(1000 + i),
      creationTimestamp: now,
    },
    spec: {replicas: 1, template: {spec: {containers: [{name: 'main', image: 'node:24'}]}}},
    status: {replicas: 1, readyReplicas: 1},
  })),
})

createServer((req, res) => {
  const body = req.url.startsWith('/api/v1/resources') ? droverList : kubeList
  res.writeHead(200, {'content-type': 'application/json'}).end(body)
}).listen(0, '127.0.0.1', function () {
  process.stdout.write(`${JSON.stringify({url: `http://127.0.0.1:${this.address().port}`})}\n`)
})
