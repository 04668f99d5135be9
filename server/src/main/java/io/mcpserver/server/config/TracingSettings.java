package io.mcpserver.server.config;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * {@code tracing.*}: OpenTelemetry spans for every request, exported over OTLP/HTTP.
 *
 * @param enabled       trace requests; when false no tracing class is loaded
 * @param endpoint      the OTLP/HTTP traces endpoint spans are sent to
 * @param samplingRatio share of new traces recorded (a sampled parent is always followed)
 */
public record TracingSettings(boolean enabled, URI endpoint, double samplingRatio) {

    static TracingSettings read(ConfigReader r) {
        boolean enabled = r.bool("tracing.enabled");
        URI endpoint = URI.create("http://127.0.0.1:4318/v1/traces");
        String url = r.string("tracing.otlp.endpoint");
        try {
            endpoint = new URI(url);
            if (!("http".equals(endpoint.getScheme()) || "https".equals(endpoint.getScheme()))
                    || endpoint.getHost() == null) {
                r.problem("tracing.otlp.endpoint", "must be an http:// or https:// URL, was '" + url + "'");
            }
        } catch (URISyntaxException e) {
            r.problem("tracing.otlp.endpoint", "must be an http:// or https:// URL, was '" + url + "'");
        }
        double ratio = 1.0;
        String text = r.string("tracing.sampling-ratio");
        try {
            ratio = Double.parseDouble(text);
            if (!(ratio >= 0.0 && ratio <= 1.0)) {
                r.problem("tracing.sampling-ratio", "must be between 0.0 and 1.0, was " + text);
            }
        } catch (NumberFormatException e) {
            r.problem("tracing.sampling-ratio", "must be a number between 0.0 and 1.0, was '" + text + "'");
        }
        return new TracingSettings(enabled, endpoint, ratio);
    }
}
