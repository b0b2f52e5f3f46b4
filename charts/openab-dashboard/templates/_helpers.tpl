{{- define "openab-dashboard.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "openab-dashboard.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "openab-dashboard.selectorLabels" -}}
app.kubernetes.io/name: {{ include "openab-dashboard.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "openab-dashboard.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "openab-dashboard.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "openab-dashboard.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "openab-dashboard.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Cluster-wide rules when asked for, or when no namespace is listed (the dashboard then lists across all). */}}
{{- define "openab-dashboard.clusterWide" -}}
{{- if or .Values.rbac.clusterWide (empty .Values.namespaces) -}}true{{- end -}}
{{- end -}}

{{/*
The rules the dashboard's code uses in the namespaces it watches (charts/openab-dashboard.test.ts
derives the same set from lib/ and compares both ways). Called with (dict "root" $ "namespace" ns);
namespace "" means the cluster-wide ClusterRole.
*/}}
{{- define "openab-dashboard.namespacedRules" -}}
{{- $root := .root -}}
# Agent discovery (list and watch Deployments and Pods by the agent selector: the dashboard's
# watch cache) and one agent's Deployment.
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["get", "list", "watch", "patch"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["list", "watch"]
# Reading Codex's files and running the Codex CLI in the agent's container: a WebSocket exec
# is authorized as get (newer API servers also check create for it), SPDY as create.
- apiGroups: [""]
  resources: ["pods/exec"]
  verbs: ["get", "create"]
- apiGroups: [""]
  resources: ["pods/log"]
  verbs: ["get"]
# The agent's history, and the audit trail written as Events on the Deployment.
- apiGroups: [""]
  resources: ["events"]
  verbs: ["list", "watch", "create"]
{{- if $root.Values.agents.readConfigMaps }}
# OpenAB's config.toml, for the delivery readiness check when the pod does not mount it.
- apiGroups: [""]
  resources: ["configmaps"]
  {{- with $root.Values.agents.configMapNames }}
  resourceNames: {{ toJson . }}
  {{- end }}
  verbs: ["get"]
{{- end }}
{{- $names := include "openab-dashboard.secretNames" (dict "root" $root "namespace" .namespace) | fromJsonArray }}
{{- if $names }}
# The agents' Discord bot token, by name only (discord.secretFallback).
- apiGroups: [""]
  resources: ["secrets"]
  resourceNames: {{ $names | toJson }}
  verbs: ["get"]
{{- end }}
{{- end -}}


{{/*
The agents' Secret names granted in a namespace, as a JSON list: plain names apply in every
namespace, `namespace/name` only in its namespace. namespace "" (the ClusterRole) takes the
plain names; "*qualified:<ns>" takes only the names qualified with <ns> (a cluster-wide install
keeps those in a Role of their own).
*/}}
{{- define "openab-dashboard.secretNames" -}}
{{- $names := list -}}
{{- if .root.Values.discord.secretFallback -}}
{{- $only := "" -}}
{{- if hasPrefix "*qualified:" .namespace -}}{{- $only = trimPrefix "*qualified:" .namespace -}}{{- end -}}
{{- range .root.Values.discord.agentSecretNames -}}
{{- $parts := splitList "/" . -}}
{{- if and (eq (len $parts) 1) (not $only) -}}
{{- $names = append $names . -}}
{{- else if and (eq (len $parts) 2) $only (eq (index $parts 0) $only) -}}
{{- $names = append $names (index $parts 1) -}}
{{- else if and (eq (len $parts) 2) (not $only) (ne $.namespace "") (eq (index $parts 0) $.namespace) -}}
{{- $names = append $names (index $parts 1) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- $names | uniq | toJson -}}
{{- end -}}


{{- define "openab-dashboard.url" -}}
{{- if .Values.url -}}
{{- .Values.url -}}
{{- else if and .Values.ingress.enabled .Values.ingress.host -}}
{{- printf "https://%s" .Values.ingress.host -}}
{{- else -}}
http://127.0.0.1:3000
{{- end -}}
{{- end -}}

{{- define "openab-dashboard.authSecretName" -}}
{{- default (printf "%s-auth" (include "openab-dashboard.fullname" .)) .Values.auth.existingSecret -}}
{{- end -}}


{{/* Who is bound to the rules the dashboard uses: its service account, or in impersonation mode the people it acts as. */}}
{{- define "openab-dashboard.ruleSubjects" -}}
{{- if .Values.impersonation.enabled -}}
{{- toYaml .Values.impersonation.subjects -}}
{{- else -}}
- kind: ServiceAccount
  name: {{ include "openab-dashboard.serviceAccountName" . }}
  namespace: {{ .Release.Namespace }}
{{- end -}}
{{- end -}}

{{/* The ConfigMap holding the session list (SESSION_STORE_NAME), in the release namespace. */}}
{{- define "openab-dashboard.sessionStoreName" -}}
{{- printf "%s-sessions" (include "openab-dashboard.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- /* The notifier's Lease (leader election among replicas) and its record of what was sent. */}}
{{- define "openab-dashboard.notifierLeaseName" -}}
{{- printf "%s-notifier" (include "openab-dashboard.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "openab-dashboard.notifierRecordName" -}}
{{- printf "%s-notifications" (include "openab-dashboard.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
