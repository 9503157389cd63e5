{{/* The Service / Deployment name. */}}
{{- define "quiver.name" -}}
{{- default .Release.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* One image scheme: <repository>:<appVersion>, and <appVersion>-cuda12 on a GPU. */}}
{{- define "quiver.image" -}}
{{- $tag := .Values.image.tag | default (printf "%s%s" .Chart.AppVersion (ternary "" "-cuda12" (eq .Values.gpu.type "none"))) -}}
{{- printf "%s:%s" .Values.image.repository $tag -}}
{{- end -}}

{{/* QUIVER_MODELS_<NAME>: the model's env prefix. */}}
{{- define "quiver.modelEnv" -}}
{{- printf "QUIVER_MODELS_%s" (.Values.model.name | upper | replace "-" "_") -}}
{{- end -}}

{{- define "quiver.labels" -}}
app.kubernetes.io/name: quiver
app.kubernetes.io/instance: {{ include "quiver.name" . }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- if .Values.model.kind }}
app.kubernetes.io/component: {{ .Values.model.kind }}
{{- end }}
{{- end -}}

{{/* The container's env; modelPath overrides the model's path (KServe mounts it at /mnt/models). */}}
{{- define "quiver.env" -}}
{{- $m := include "quiver.modelEnv" .root -}}
{{- $v := .root.Values -}}
- name: {{ $m }}_PATH
  value: {{ .modelPath | default $v.model.path | quote }}
{{- if $v.model.kind }}
- name: {{ $m }}_KIND
  value: {{ $v.model.kind | quote }}
{{- end }}
{{- if $v.model.onnxFile }}
- name: {{ $m }}_ONNX_FILE
  value: {{ $v.model.onnxFile | quote }}
{{- end }}
{{- if $v.model.contextLength }}
- name: {{ $m }}_CONTEXT_LENGTH
  value: {{ $v.model.contextLength | quote }}
{{- end }}
- name: QUIVER_CONCURRENCY_MAX
  value: {{ $v.concurrency.max | quote }}
- name: QUIVER_CONCURRENCY_QUEUE_TIMEOUT
  value: {{ $v.concurrency.queueTimeout | quote }}
- name: QUIVER_SHUTDOWN_GRACE
  value: {{ $v.shutdownGrace | quote }}
{{- if ne $v.autoscaling.class "kpa" }}
- name: QUIVER_CONCURRENCY_AVERAGE_WINDOW
  value: {{ $v.autoscaling.averageWindow | quote }}
{{- end }}
{{- if ne $v.gpu.type "none" }}
- name: QUIVER_DEVICE
  value: cuda
{{- end }}
{{- if ne $v.eventsAuth "api-key" }}
- name: QUIVER_EVENTS_AUTH
  value: {{ $v.eventsAuth | quote }}
{{- end }}
{{- with $v.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "quiver.resources" -}}
{{- $v := .Values -}}
requests:
  cpu: {{ $v.resources.cpu | quote }}
  memory: {{ $v.resources.memory | quote }}
limits:
  memory: {{ $v.resources.memory | quote }}
{{- if eq $v.gpu.type "nvidia" }}
  nvidia.com/gpu: {{ $v.gpu.count | quote }}
{{- else if eq $v.gpu.type "cgpu" }}
  aliyun.com/gpu-mem: {{ $v.gpu.memory | quote }}
{{- else if eq $v.gpu.type "hami" }}
  nvidia.com/gpu: {{ $v.gpu.count | quote }}
  nvidia.com/gpumem: {{ $v.gpu.memory | quote }}
{{- else if ne $v.gpu.type "none" }}
{{- fail (printf "gpu.type must be none, nvidia, cgpu or hami, not %s" $v.gpu.type) }}
{{- end }}
{{- end -}}

{{/* Whether the pod gets a startupProbe: GPU pods under "auto". */}}
{{- define "quiver.startupProbe" -}}
{{- if or (eq .Values.startupProbe "on") (and (eq .Values.startupProbe "auto") (ne .Values.gpu.type "none")) -}}
true
{{- end -}}
{{- end -}}

{{/* Probes on Quiver's health paths; readinessProbe without periodSeconds lets queue-proxy probe aggressively. */}}
{{- define "quiver.probes" -}}
{{- if include "quiver.startupProbe" .root }}
startupProbe:
  httpGet:
    path: /q/health/started
    port: 8080
  periodSeconds: 2
  failureThreshold: {{ div (trimSuffix "s" .root.Values.autoscaling.progressDeadline | int) 2 }}
{{- end }}
readinessProbe:
  httpGet:
    path: /q/health/ready
    port: 8080
{{- if or .periodic (include "quiver.startupProbe" .root) }}
  periodSeconds: 1
{{- end }}
livenessProbe:
  httpGet:
    path: /q/health/live
    port: 8080
  periodSeconds: 10
  failureThreshold: 3
{{- end -}}

{{- define "quiver.volumeMounts" -}}
{{- if ne .Values.model.volume.type "none" }}
volumeMounts:
  - name: models
    mountPath: {{ .Values.model.volume.mountPath }}
    readOnly: true
{{- end }}
{{- end -}}

{{- define "quiver.volumes" -}}
{{- $vol := .Values.model.volume -}}
{{- if ne $vol.type "none" }}
volumes:
  - name: models
    persistentVolumeClaim:
{{- if eq $vol.type "pvc" }}
      claimName: {{ $vol.claimName }}
{{- else if eq $vol.type "fluid" }}
      claimName: {{ required "model.volume.dataset names the Fluid Dataset (its PVC has its name)" $vol.dataset }}
{{- else }}
{{- fail (printf "model.volume.type must be none, pvc or fluid, not %s" $vol.type) }}
{{- end }}
      readOnly: true
{{- end }}
{{- end -}}
