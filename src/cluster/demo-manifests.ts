// The walkthrough's workloads, as files the demo writes next to its transcript and applies with
// kubectl: the nginx Deployment (3 replicas) with Service nginx-svc (LoadBalancer, 443 and 80),
// the cassandra StatefulSet with its Service in Namespace cassandra, the busybox Pod and both
// versions of the nginx-allow NetworkPolicy, named as the seed names them.

export const NGINX = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx-deployment
  labels:
    app: nginx
spec:
  replicas: 3
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: nginx
        ports:
        - containerPort: 80
        - containerPort: 443
---
apiVersion: v1
kind: Service
metadata:
  name: nginx-svc
  labels:
    app: nginx
spec:
  type: LoadBalancer
  selector:
    app: nginx
  ports:
  - name: https
    port: 443
    targetPort: 443
  - name: http
    port: 80
    targetPort: 80
`;

export const CASSANDRA = `apiVersion: v1
kind: Namespace
metadata:
  name: cassandra
---
apiVersion: v1
kind: Service
metadata:
  name: cassandra
  namespace: cassandra
  labels:
    app: cassandra
spec:
  selector:
    app: cassandra
  ports:
  - port: 9042
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: cassandra
  namespace: cassandra
  labels:
    app: cassandra
spec:
  serviceName: cassandra
  replicas: 2
  selector:
    matchLabels:
      app: cassandra
  template:
    metadata:
      labels:
        app: cassandra
    spec:
      containers:
      - name: cassandra
        image: cassandra
        ports:
        - containerPort: 9042
          name: cql
`;

export const BUSYBOX = `apiVersion: v1
kind: Pod
metadata:
  name: ch-busybox
spec:
  containers:
  - name: busybox
    image: busybox
    command: ["sleep", "infinity"]
`;

const policy = (peers: readonly string[]): string => `kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata:
  name: nginx-allow
spec:
  podSelector:
    matchLabels:
      app: nginx
  ingress:
  - from:
${peers.map((app) => `      - podSelector:\n          matchLabels:\n            app: ${app}`).join('\n')}
`;

/** Step 9's policy: only app=nginx reaches the nginx pods. */
export const NGINX_ALLOW = policy(['nginx']);
/** Step 12's: app=busybox too. */
export const NGINX_ALLOW_BUSYBOX = policy(['nginx', 'busybox']);
