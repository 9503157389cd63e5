#!/usr/bin/env bash
# The cluster's certificates, made with openssl into <dir>: a CA, the apiserver's serving certificate (for every
# address it is reached at), one client certificate in system:masters that the components and kubectl share, the
# service-account signing key, and admin.conf, the kubeconfig that uses them.
#   pki.sh <dir>
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$1"
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2> /dev/null; }
# cert <name> <subject> [extensions]: signed by the CA, valid for a year.
cert() {
  key "$1"
  openssl req -new -key "$1.key" -subj "$2" -out "$1.csr" 2> /dev/null
  openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 365 -out "$1.crt" \
    -extfile <(printf '%s\n' "${3:-extendedKeyUsage=clientAuth}") 2> /dev/null
  rm "$1.csr"
}
key ca
openssl req -x509 -new -key ca.key -subj "/CN=quiver-cluster-ca" -days 365 -out ca.crt \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2> /dev/null
cert apiserver "/CN=kube-apiserver" "extendedKeyUsage=serverAuth
subjectAltName=IP:$NODE_IP,IP:$KUBERNETES_SERVICE_IP,IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
cert admin "/O=system:masters/CN=quiver-cluster-admin"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out sa.key 2> /dev/null
openssl pkey -in sa.key -pubout -out sa.pub
cat > admin.conf <<CONF
apiVersion: v1
kind: Config
clusters:
- name: quiver
  cluster: {server: "https://$NODE_IP:6443", certificate-authority: "$PWD/ca.crt"}
users:
- name: admin
  user: {client-certificate: "$PWD/admin.crt", client-key: "$PWD/admin.key"}
contexts:
- name: quiver
  context: {cluster: quiver, user: admin}
current-context: quiver
CONF
