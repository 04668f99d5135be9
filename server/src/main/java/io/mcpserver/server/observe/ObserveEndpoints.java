package io.mcpserver.server.observe;

import io.helidon.health.HealthCheck;
import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;
import io.helidon.webserver.observe.ObserveFeature;
import io.helidon.webserver.observe.health.HealthObserver;
import io.helidon.webserver.observe.metrics.MetricsObserver;
import io.mcpserver.server.config.ObserveSettings;

import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Helidon observe on the HTTP listener, at the root paths of {@code observe.*}: liveness ({@code /health}),
 * readiness ({@code /ready}) and the meters ({@code /metrics}). These routes sit beside the MCP endpoints,
 * not behind them: no Origin/Host rule and no bearer token apply (docs/operations.md says so).
 * Each answers 200 with a JSON body ({@code {"status":"UP","checks":[…]}}) when up, 503 when down.
 */
public final class ObserveEndpoints {

    private final ObserveSettings settings;
    private final BooleanSupplier ready;
    private final Supplier<Map<String, Object>> readyDetails;
    private final ServerMetrics metrics;
    private final java.util.List<HealthCheck> liveness = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * @param ready        whether every listener is bound and the plugins are loaded, and no shutdown has begun
     * @param readyDetails what {@code /ready} shows about that (state, endpoints, plugins)
     * @param metrics      the meters {@code /metrics} serves
     */
    public ObserveEndpoints(ObserveSettings settings, BooleanSupplier ready, Supplier<Map<String, Object>> readyDetails,
                            ServerMetrics metrics) {
        this.settings = settings;
        this.ready = ready;
        this.readyDetails = readyDetails;
        this.metrics = metrics;
    }

    /**
     * Adds a check to {@code /health}: the server is alive but broken while it is down (the audit trail that cannot
     * be written). Call before {@link #feature()}.
     */
    public ObserveEndpoints liveness(String name, BooleanSupplier up, Supplier<Map<String, Object>> details) {
        liveness.add(check(HealthCheckType.LIVENESS, name, up, details));
        return this;
    }

    /** The feature to add to the HTTP listener's server; null when {@code observe.enabled} is false. */
    public ObserveFeature feature() {
        if (!settings.enabled()) {
            return null;
        }
        var builder = ObserveFeature.builder()
                .observersDiscoverServices(false)
                .endpoint("/")
                .addObserver(HealthObserver.builder()
                        .name("health")
                        .endpoint(settings.healthPath())
                        .details(true)
                        .useSystemServices(false)
                        .addCheck(check(HealthCheckType.LIVENESS, "live", () -> true, Map::of))
                        .addChecks(liveness.toArray(HealthCheck[]::new))
                        .build())
                .addObserver(HealthObserver.builder()
                        .name("ready")
                        .endpoint(settings.readyPath())
                        .details(true)
                        .useSystemServices(false)
                        .addCheck(check(HealthCheckType.READINESS, "ready", ready, readyDetails))
                        .build());
        if (settings.metrics()) {
            builder.addObserver(MetricsObserver.builder()
                    .endpoint(settings.metricsPath())
                    .metricsConfig(metrics.metricsConfig())
                    .meterRegistry(metrics.registry())
                    .build());
        }
        return builder.build();
    }

    private static HealthCheck check(HealthCheckType type, String name, BooleanSupplier up,
                                     Supplier<Map<String, Object>> details) {
        return new HealthCheck() {
            @Override
            public HealthCheckType type() {
                return type;
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public HealthCheckResponse call() {
                HealthCheckResponse.Builder response = HealthCheckResponse.builder().status(up.getAsBoolean());
                details.get().forEach(response::detail);
                return response.build();
            }
        };
    }
}
