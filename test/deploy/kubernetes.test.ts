import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, describe, test } from 'node:test';
import { SHUTDOWN_GRACE_MS } from '../../src/api/graceful-server';
import { parseConfig } from '../../src/config';
import { SEARCH_ATTRIBUTES } from '../../src/temporal/search-attributes';
import { ROOT, codeEnv, imageEnv, K8sObject, kubernetesValidator, kustomizeBuild, loadYaml, yamlFiles } from './support';

type Container = {
  name: string;
  image: string;
  args?: string[];
  ports?: Array<{ name?: string; containerPort: number }>;
  env?: Array<{ name: string; value?: string; valueFrom?: unknown }>;
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, unknown>;
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  volumeMounts?: Array<{ name: string; mountPath: string }>;
  lifecycle?: { preStop?: unknown };
};
type Probe = { httpGet?: { path: string; port: string | number } };
type PodSpec = { containers: Container[]; securityContext?: Record<string, unknown>; terminationGracePeriodSeconds?: number; automountServiceAccountToken?: boolean };
type Deployment = K8sObject & { spec: { replicas?: number; selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: PodSpec } } };

const ROLES = { api: 'PORT', bridge: 'BRIDGE_HEALTH_PORT', worker: 'WORKER_HEALTH_PORT' } as const;
const OVERLAYS = { stage: 't.litegallery.io', prod: 'app.litegallery.io' } as const;

const rendered: Record<string, K8sObject[]> = {
  base: kustomizeBuild('k8s/base'),
  stage: kustomizeBuild('k8s/overlays/stage'),
  prod: kustomizeBuild('k8s/overlays/prod'),
};

const scratch = mkdtempSync(join(tmpdir(), 'k8s-components-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** An overlay (prod unless named) with optional components, as an operator would add them. */
function withComponents(...components: string[]): K8sObject[] {
  return overlayWith('prod', ...components);
}

function overlayWith(overlay: string, ...components: string[]): K8sObject[] {
  const dir = mkdtempSync(join(scratch, 'overlay-'));
  writeFileSync(
    join(dir, 'kustomization.yaml'),
    // kustomize takes no absolute paths.
    ['resources:', `  - ${relative(dir, join(ROOT, 'k8s/overlays', overlay))}`, 'components:', ...components.map((c) => `  - ${relative(dir, join(ROOT, 'k8s/components', c))}`)].join('\n'),
  );
  return kustomizeBuild(dir);
}

function find<T extends K8sObject>(objects: K8sObject[], kind: string, name: string): T {
  const object = objects.find((o) => o.kind === kind && o.metadata.name === name);
  assert.ok(object, `${kind}/${name} not rendered`);
  return object as T;
}

function configMapData(objects: K8sObject[]): Record<string, string> {
  const configMaps = objects.filter((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('cloud-archive-config'));
  assert.equal(configMaps.length, 1);
  return (configMaps[0] as K8sObject & { data: Record<string, string> }).data;
}

const secretTemplate = loadYaml('k8s/base/secret.template.yaml')[0] as K8sObject & { stringData: Record<string, string> };

describe('Kubernetes manifests', () => {
  test('every YAML file under k8s/ parses', () => {
    const files = yamlFiles('k8s');
    assert.ok(files.length >= 15, `found only ${files.length} files`);
    for (const file of files) assert.doesNotThrow(() => loadYaml(file), file);
  });

  test('base, stage and prod render, and with the optional components too', () => {
    for (const [name, objects] of Object.entries(rendered)) assert.ok(objects.length >= 10, `${name}: ${objects.length} objects`);
    for (const keda of [rendered.prod!, overlayWith('stage', 'keda-temporal-scaler')]) {
      assert.ok(keda.some((o) => o.kind === 'ScaledObject'));
      assert.ok(!keda.some((o) => o.kind === 'HorizontalPodAutoscaler'), 'KEDA and a CPU HPA would fight over the replicas');
    }
    const mtls = withComponents('temporal-cloud-mtls');
    const data = configMapData(mtls);
    assert.equal(data.TEMPORAL_TLS, 'true');
    for (const role of Object.keys(ROLES)) {
      const pod = find<Deployment>(mtls, 'Deployment', `cloud-archive-${role}`).spec.template.spec;
      const mount = pod.containers[0]!.volumeMounts!.find((m) => m.name === 'temporal-tls');
      assert.ok(mount && data.TEMPORAL_TLS_CERT_PATH!.startsWith(`${mount.mountPath}/`) && data.TEMPORAL_TLS_KEY_PATH!.startsWith(`${mount.mountPath}/`), role);
    }
  });

  test('every object validates against the Kubernetes OpenAPI schema (strict) or its CRD', () => {
    const validate = kubernetesValidator();
    const objects: Array<[string, K8sObject]> = [
      ...Object.entries(rendered).flatMap(([name, list]) => list.map((o): [string, K8sObject] => [name, o])),
      ...withComponents('prometheus-operator', 'temporal-cloud-mtls').map((o): [string, K8sObject] => ['components', o]),
      ['secret template', secretTemplate],
      ...(loadYaml('k8s/temporal/search-attributes-job.yaml') as K8sObject[]).map((o): [string, K8sObject] => ['temporal', o]),
    ];
    const problems = objects.flatMap(([where, o]) => validate(o).map((e) => `${where} ${o.kind}/${o.metadata?.name}: ${e}`));
    assert.deepEqual(problems, []);
  });

  test('the validator rejects what the API server would (so a pass means something)', () => {
    const validate = kubernetesValidator();
    const deployment = structuredClone(find<Deployment>(rendered.prod!, 'Deployment', 'cloud-archive-api'));
    assert.deepEqual(validate(deployment), []);
    const misspelt = structuredClone(deployment) as any;
    misspelt.spec.template.spec.containers[0].readinesProbe = misspelt.spec.template.spec.containers[0].readinessProbe;
    assert.match(validate(misspelt).join('\n'), /readinesProbe/);
    const badQuantity = structuredClone(deployment) as any;
    badQuantity.spec.template.spec.containers[0].resources.limits.memory = '384MB';
    assert.notDeepEqual(validate(badQuantity), []);
    const wrongType = structuredClone(deployment) as any;
    wrongType.spec.replicas = 'two';
    assert.notDeepEqual(validate(wrongType), []);
    assert.notDeepEqual(validate({ apiVersion: 'apps/v1', kind: 'Deploymnet', metadata: { name: 'x' } }), []);
  });

  test('the RabbitmqCluster (its CRD is not available offline) at least has sound metadata, resources and storage', () => {
    const [cluster] = loadYaml('k8s/rabbitmq/rabbitmq-cluster.yaml') as Array<K8sObject & { spec: any }>;
    assert.equal(`${cluster!.apiVersion}/${cluster!.kind}`, 'rabbitmq.com/v1beta1/RabbitmqCluster');
    const validate = kubernetesValidator();
    // Its resources are a core ResourceRequirements: check them through a throwaway Pod.
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: cluster!.metadata, spec: { containers: [{ name: 'rabbitmq', image: cluster!.spec.image, resources: cluster!.spec.resources }] } };
    assert.deepEqual(validate(pod as K8sObject), []);
    assert.match(cluster!.spec.persistence.storage, /^\d+Gi$/);
    // The operator names its default-user Secret after the cluster; the api and bridge read AMQP_URL from it.
    for (const role of ['api', 'bridge']) {
      const env = find<Deployment>(rendered.prod!, 'Deployment', `cloud-archive-${role}`).spec.template.spec.containers[0]!.env!;
      assert.deepEqual(env.find((e) => e.name === 'AMQP_URL')?.valueFrom, { secretKeyRef: { name: `${cluster!.metadata.name}-default-user`, key: 'connection_string' } });
    }
  });

  for (const [overlay, host] of Object.entries(OVERLAYS)) {
    test(`${overlay}: the API is served at https://${host}/cloud_archive, on the port the API listens on`, () => {
      const objects = rendered[overlay]!;
      const ingress = find<K8sObject & { spec: any }>(objects, 'Ingress', 'cloud-archive-api');
      assert.deepEqual(ingress.spec.rules.map((r: any) => r.host), [host]);
      assert.deepEqual(ingress.spec.tls[0].hosts, [host]);
      const [path] = ingress.spec.rules[0].http.paths;
      assert.equal(path.path, '/cloud_archive');
      assert.equal(path.pathType, 'Prefix');
      const config = configMapData(objects);
      assert.equal(config.PUBLIC_URL, `https://${host}`, 'the OAuth redirect URI is built from PUBLIC_URL');
      assert.equal(new URL(config.GALLERY_API_URL!).host, host);
      assert.equal(new URL(config.COMPLETION_CALLBACK_URL!).host, host);
      const service = find<K8sObject & { spec: any }>(objects, 'Service', path.backend.service.name);
      const servicePort = service.spec.ports.find((p: any) => p.name === path.backend.service.port.name);
      const api = find<Deployment>(objects, 'Deployment', 'cloud-archive-api');
      assert.deepEqual(service.spec.selector, api.spec.selector.matchLabels);
      const containerPort = api.spec.template.spec.containers[0]!.ports!.find((p) => p.name === servicePort.targetPort);
      assert.equal(String(containerPort?.containerPort), config.PORT);
    });

    test(`${overlay}: each role runs the same pinned image, hardened, with resources and probes on its real health port`, () => {
      const objects = rendered[overlay]!;
      const config = configMapData(objects);
      const images = new Set<string>();
      for (const [role, portVariable] of Object.entries(ROLES)) {
        const deployment = find<Deployment>(objects, 'Deployment', `cloud-archive-${role}`);
        const pod = deployment.spec.template.spec;
        assert.equal(pod.containers.length, 1);
        const container = pod.containers[0]!;
        images.add(container.image);
        assert.deepEqual(container.args, [role], 'the image picks its role from the command');
        assert.ok(container.resources?.requests?.cpu && container.resources.requests.memory, `${role}: requests`);
        assert.ok(container.resources?.limits?.cpu && container.resources.limits.memory, `${role}: limits`);
        assert.equal(pod.securityContext?.runAsNonRoot, true);
        assert.equal(pod.securityContext?.runAsUser, 1000, 'the image USER');
        assert.equal(pod.automountServiceAccountToken, false);
        assert.equal(container.securityContext?.readOnlyRootFilesystem, true);
        assert.equal(container.securityContext?.allowPrivilegeEscalation, false);
        assert.deepEqual((container.securityContext?.capabilities as { drop: string[] }).drop, ['ALL']);
        assert.ok(container.volumeMounts?.some((m) => m.mountPath === '/tmp'), 'a writable /tmp on a read-only root');
        const port = Number(config[portVariable] ?? parseConfig(minimalEnv())[portVariable]);
        for (const kind of ['livenessProbe', 'readinessProbe'] as const) {
          const probe = container[kind]?.httpGet;
          assert.ok(probe, `${role}: ${kind}`);
          const resolved = typeof probe.port === 'number' ? probe.port : container.ports?.find((p) => p.name === probe.port)?.containerPort;
          assert.equal(resolved, port, `${role} ${kind} port = ${portVariable}`);
        }
        assert.equal(container.livenessProbe!.httpGet!.path, '/healthz');
        assert.equal(container.readinessProbe!.httpGet!.path, '/readyz');
        assert.deepEqual(
          container.envFrom,
          [{ configMapRef: { name: configMapName(objects) } }, { secretRef: { name: secretTemplate.metadata.name } }],
        );
        const pdb = objects.find((o) => o.kind === 'PodDisruptionBudget' && JSON.stringify((o as any).spec.selector.matchLabels) === JSON.stringify(deployment.spec.selector.matchLabels));
        assert.ok(pdb, `${role}: PodDisruptionBudget`);
      }
      assert.equal(images.size, 1);
      const [image] = images;
      assert.match(image!, /^[\w.-]+(:\d+)?(\/[\w.-]+)+:\d+\.\d+\.\d+$/, 'a versioned tag, never :latest');
    });

    test(`${overlay}: the worker outlives its graceful shutdown and is autoscaled`, () => {
      const objects = rendered[overlay]!;
      const config = configMapData(objects);
      const grace = Number(config.WORKER_SHUTDOWN_GRACE_SECONDS ?? parseConfig(minimalEnv()).WORKER_SHUTDOWN_GRACE_SECONDS);
      const worker = find<Deployment>(objects, 'Deployment', 'cloud-archive-worker');
      assert.ok(worker.spec.template.spec.terminationGracePeriodSeconds! >= grace + 15, 'room for the drain and connection close after the grace');
      assert.equal(worker.spec.replicas, undefined, 'the autoscaler owns the replica count');
      if (overlay === 'prod') {
        const scaled = find<K8sObject & { spec: any }>(objects, 'ScaledObject', 'cloud-archive-worker');
        assert.equal(scaled.spec.scaleTargetRef.name, worker.metadata.name);
        assert.ok(scaled.spec.minReplicaCount >= 2 && scaled.spec.maxReplicaCount > scaled.spec.minReplicaCount);
      } else {
        const hpa = find<K8sObject & { spec: any }>(objects, 'HorizontalPodAutoscaler', 'cloud-archive-worker');
        assert.deepEqual(hpa.spec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: worker.metadata.name });
        assert.ok(hpa.spec.minReplicas >= 1 && hpa.spec.maxReplicas > hpa.spec.minReplicas);
      }
      const bridge = find<Deployment>(objects, 'Deployment', 'cloud-archive-bridge');
      assert.ok(bridge.spec.template.spec.terminationGracePeriodSeconds! > 10, 'bridge: room to finish its workflow starts');
    });

    test(`${overlay}: the API outlives its drain pause and the grace for requests in flight, with no preStop pause on top`, () => {
      const objects = rendered[overlay]!;
      const drain = Number(configMapData(objects).SHUTDOWN_DRAIN_SECONDS ?? parseConfig(minimalEnv()).SHUTDOWN_DRAIN_SECONDS);
      assert.ok(drain >= 5, `SHUTDOWN_DRAIN_SECONDS=${drain}: too short for the ingress to drop the endpoint`);
      const pod = find<Deployment>(objects, 'Deployment', 'cloud-archive-api').spec.template.spec;
      assert.ok(pod.terminationGracePeriodSeconds! >= drain + SHUTDOWN_GRACE_MS / 1000 + 5, `terminationGracePeriodSeconds ${pod.terminationGracePeriodSeconds}`);
      assert.equal(pod.containers[0]!.lifecycle?.preStop, undefined, 'the API pauses itself; a preStop sleep would add to it');
    });

    test(`${overlay}: the ConfigMap and the Secret template set every variable the code needs, and only those`, () => {
      const objects = rendered[overlay]!;
      const { all, required } = codeEnv();
      const config = configMapData(objects);
      const containerEnv = Object.keys(ROLES).flatMap((role) => (find<Deployment>(objects, 'Deployment', `cloud-archive-${role}`).spec.template.spec.containers[0]!.env ?? []).map((e) => e.name));
      const ours = [...Object.keys(config), ...Object.keys(secretTemplate.stringData), ...containerEnv];
      const provided = new Set([...ours, ...Object.keys(imageEnv())]);
      assert.deepEqual([...required].filter((v) => !provided.has(v)), [], 'required variables not provided');
      assert.deepEqual(ours.filter((v) => !all.has(v)), [], 'variables the code does not read');
      assert.deepEqual(Object.values(secretTemplate.stringData).filter((v) => v !== ''), [], 'the template commits no secret values');
      // Filled in (each secret its own value: SECRET_KEYS_PREVIOUS may not repeat SECRET_KEY), the result is a
      // configuration the service accepts.
      const secrets = Object.fromEntries(Object.keys(secretTemplate.stringData).map((k) => [k, `${k}-`.padEnd(40, 'x')]));
      assert.doesNotThrow(() => parseConfig({ ...imageEnv(), ...config, ...secrets, AMQP_URL: 'amqp://u:p@rabbitmq:5672/' }));
    });
  }

  test('Temporal: the Helm values create the namespaces of the overlays, and the Job registers exactly our search attributes in them', () => {
    const namespaces = Object.keys(OVERLAYS).map((overlay) => configMapData(rendered[overlay]!).TEMPORAL_NAMESPACE);
    const [values] = loadYaml('k8s/temporal/values.yaml') as any[];
    assert.deepEqual(values.server.config.namespaces.namespace.map((n: any) => n.name).sort(), [...namespaces].sort());
    for (const store of Object.values(values.server.config.persistence.datastores) as any[]) {
      assert.equal(store.sql.pluginName, 'postgres12');
      assert.ok(store.sql.existingSecret, 'the DB password comes from a Secret, not the values file');
    }
    const [job] = loadYaml('k8s/temporal/search-attributes-job.yaml') as any[];
    const container = job.spec.template.spec.containers[0];
    assert.equal(container.image, `${values.admintools.image.repository}:${values.admintools.image.tag}`);
    assert.equal(values.admintools.image.tag, values.server.image.tag, 'admin-tools at the server version');
    const script: string = container.args.join('\n');
    assert.deepEqual(/for ns in ([^;]+);/.exec(script)![1]!.trim().split(/\s+/).sort(), [...namespaces].sort());
    assert.deepEqual(
      [...script.matchAll(/--name (\w+) --type (\w+)/g)].map((m) => ({ name: m[1], type: m[2] })),
      SEARCH_ATTRIBUTES,
    );
    const temporalAddress = configMapData(rendered.prod!).TEMPORAL_ADDRESS;
    assert.equal(container.env.find((e: any) => e.name === 'TEMPORAL_ADDRESS').value, temporalAddress);
  });

  for (const [where, objects] of [['prod', rendered.prod!], ['stage with the component', overlayWith('stage', 'keda-temporal-scaler')]] as const) test(`${where}: the KEDA scaler watches the Temporal namespace and task queue the workers poll`, () => {
    const config = configMapData(objects);
    const scaled = find<K8sObject & { spec: any }>(objects, 'ScaledObject', 'cloud-archive-worker');
    const trigger = scaled.spec.triggers[0];
    assert.equal(trigger.type, 'temporal');
    assert.equal(trigger.metadata.endpoint, config.TEMPORAL_ADDRESS);
    assert.equal(trigger.metadata.namespace, config.TEMPORAL_NAMESPACE);
    assert.equal(trigger.metadata.taskQueue, config.TEMPORAL_TASK_QUEUE);
    assert.equal(scaled.spec.scaleTargetRef.name, 'cloud-archive-worker');
  });

  for (const overlay of Object.keys(OVERLAYS)) {
    test(`${overlay}: every metrics port is declared and scraped: annotations, or the prometheus-operator component's PodMonitor`, () => {
      const metricsPorts = { api: ['PORT'], bridge: ['BRIDGE_HEALTH_PORT'], worker: ['WORKER_HEALTH_PORT', 'WORKER_SDK_METRICS_PORT'] } as const;
      const defaults = parseConfig(minimalEnv());
      const plain = rendered[overlay]!;
      const monitored = overlayWith(overlay, 'prometheus-operator');
      const config = configMapData(plain);
      const monitor = find<K8sObject & { spec: any }>(monitored, 'PodMonitor', 'cloud-archive');
      const scrapedPortNames = new Set(monitor.spec.podMetricsEndpoints.map((e: { port: string; path: string }) => (assert.equal(e.path, '/metrics'), e.port)));
      for (const [role, variables] of Object.entries(metricsPorts)) {
        const numberOf = (variable: string) => Number(config[variable] ?? defaults[variable as keyof typeof defaults]);
        const template = find<Deployment>(plain, 'Deployment', `cloud-archive-${role}`).spec.template as { metadata: { annotations?: Record<string, string> }; spec: PodSpec };
        const ports = template.spec.containers[0]!.ports!;
        for (const variable of variables) assert.ok(ports.some((p) => p.containerPort === numberOf(variable)), `${role}: ${variable} declared`);
        assert.deepEqual(template.metadata.annotations, { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(numberOf(variables[0])), 'prometheus.io/path': '/metrics' }, role);

        const withOperator = find<Deployment>(monitored, 'Deployment', `cloud-archive-${role}`).spec.template as { metadata: { labels: Record<string, string>; annotations?: unknown } };
        assert.equal(withOperator.metadata.annotations, undefined, `${role}: not scraped twice`);
        assert.ok(Object.entries(monitor.spec.selector.matchLabels).every(([k, v]) => withOperator.metadata.labels[k] === v), `${role}: selected by the PodMonitor`);
        for (const variable of variables) {
          const name = ports.find((p) => p.containerPort === numberOf(variable))!.name!;
          assert.ok(scrapedPortNames.has(name), `${role}: ${variable} (port ${name}) scraped by the PodMonitor`);
        }
      }
    });

    test(`${overlay}: sets its own image tag, and every role runs it`, () => {
      const [kustomization] = loadYaml(`k8s/overlays/${overlay}/kustomization.yaml`) as Array<{ images?: Array<{ name: string; newTag?: string }> }>;
      const [image] = kustomization!.images ?? [];
      assert.ok(image?.newTag, 'the overlay names the tag');
      for (const role of Object.keys(ROLES)) {
        assert.equal(find<Deployment>(rendered[overlay]!, 'Deployment', `cloud-archive-${role}`).spec.template.spec.containers[0]!.image, `${image.name}:${image.newTag}`);
      }
    });
  }
});

function configMapName(objects: K8sObject[]): string {
  return objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('cloud-archive-config'))!.metadata.name;
}

/** The required variables, filled, so a default can be read from the real schema. */
function minimalEnv(): Record<string, string> {
  return Object.fromEntries([...codeEnv().required].map((k) => [k, k.endsWith('_URL') ? 'https://x.example' : 'x'.repeat(40)]));
}
