{{/*
Names and labels shared by every template.
*/}}

{{/* Chart name, or nameOverride. */}}
{{- define "shoal.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: fullnameOverride, else "<release>-<name>" unless the release name already contains it. */}}
{{- define "shoal.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := include "shoal.name" . }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Name of the operator's objects (Deployment, Service, PDB, RBAC). */}}
{{- define "shoal.operator.fullname" -}}
{{- printf "%s-operator" (include "shoal.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "shoal.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every object the chart renders. */}}
{{- define "shoal.labels" -}}
helm.sh/chart: {{ include "shoal.chart" . }}
app.kubernetes.io/name: {{ include "shoal.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: shoal
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Labels of the operator's objects. */}}
{{- define "shoal.operator.labels" -}}
{{ include "shoal.labels" . }}
app.kubernetes.io/component: operator
{{- end }}

{{/* Selector of the operator pods (immutable on a Deployment: never add to these). */}}
{{- define "shoal.operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "shoal.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end }}

{{- define "shoal.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "shoal.operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* "registry/repository:tag" or "registry/repository@digest"; the tag defaults to appVersion. */}}
{{- define "shoal.image" -}}
{{- $image := index . 0 }}
{{- $root := index . 1 }}
{{- $repo := $image.repository }}
{{- if $image.registry }}
{{- $repo = printf "%s/%s" $image.registry $image.repository }}
{{- end }}
{{- if $image.digest }}
{{- printf "%s@%s" $repo $image.digest }}
{{- else }}
{{- printf "%s:%s" $repo (default $root.Chart.AppVersion $image.tag | toString) }}
{{- end }}
{{- end }}

{{- define "shoal.leaseName" -}}
{{- default (include "shoal.operator.fullname" .) .Values.operator.leaderElection.leaseName }}
{{- end }}

{{/* Checks across values that the schema cannot express; rendered once, from the Deployment. */}}
{{- define "shoal.validate" -}}
{{- if and (gt (int .Values.operator.replicas) 1) (not .Values.operator.leaderElection.enabled) }}
{{- fail "operator.replicas > 1 needs operator.leaderElection.enabled=true: without a Lease two replicas would reconcile at once" }}
{{- end }}
{{- if ge (int .Values.operator.leaderElection.renewDeadlineSeconds) (int .Values.operator.leaderElection.leaseDurationSeconds) }}
{{- fail "operator.leaderElection.renewDeadlineSeconds must be less than leaseDurationSeconds" }}
{{- end }}
{{- if and .Values.classes (not .Values.cluster.enabled) }}
{{- range .Values.classes }}
{{- if not (and .spec .spec.clusterRef) }}
{{- fail (printf "classes[%s]: spec.clusterRef is required when cluster.enabled is false (no cluster of this release to default to)" .name) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
