{{/* Resource name of one app: <release>-<app>, within the 63-character DNS label limit. */}}
{{- define "omni.fullname" -}}
{{- printf "%s-%s" .root.Release.Name .app | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "omni.selectorLabels" -}}
app.kubernetes.io/name: {{ .app }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{- define "omni.labels" -}}
{{ include "omni.selectorLabels" . }}
app.kubernetes.io/part-of: omni-gateway
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
{{- with .root.Values.env.REGION }}
topology.omni.io/region: {{ . | quote }}
{{- end }}
{{- end -}}

{{/* The port variable an app reads (ARCHITECTURE.md ★): channel-web -> CHANNEL_WEB_PORT. */}}
{{- define "omni.portEnv" -}}
{{- printf "%s_PORT" (.app | upper | replace "-" "_") -}}
{{- end -}}

{{/* Env of one app: shared `env`, then the app's own `env` (wins), then its port. Empty values are
     dropped so the app's documented default applies instead of an empty string. */}}
{{- define "omni.env" -}}
{{- $env := merge (deepCopy (.spec.env | default dict)) (deepCopy .root.Values.env) -}}
{{- $_ := set $env (include "omni.portEnv" .) (toString .spec.port) -}}
{{- range $k, $v := $env }}
{{- if not (eq (toString $v) "") }}
{{ $k }}: {{ toString $v | quote }}
{{- end }}
{{- end }}
{{- end -}}
