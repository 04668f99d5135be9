package io.mcpserver.spi.client;

import java.util.Map;
import java.util.Objects;

/**
 * One thing a request asks of the client: an elicitation (form or URL), a sampling request, or the
 * client's roots. Several are asked at once with {@link io.mcpserver.spi.RequestContext#ask}, each under a
 * key of the plugin's choosing.
 */
public sealed interface InputRequest {

    /** The client capability the request needs. */
    ClientFeature feature();

    /** An elicitation in form mode: a message and a flat object schema of primitive properties. */
    static InputRequest elicit(String message, Map<String, Object> requestedSchema) {
        return new Elicitation(message, requestedSchema);
    }

    /**
     * An elicitation in URL mode (2025-11-25 and later): the client asks the user's consent to open
     * {@code url}, where the interaction happens out of band (sign-in, payment…). Nothing sensitive travels
     * through the client.
     *
     * @param elicitationId the server's id for this interaction, unique per user
     */
    static InputRequest elicitUrl(String message, String url, String elicitationId) {
        return new UrlElicitation(message, url, elicitationId);
    }

    static InputRequest sample(SamplingRequest request) {
        return new Sampling(request);
    }

    static InputRequest roots() {
        return new Roots();
    }

    record Elicitation(String message, Map<String, Object> requestedSchema) implements InputRequest {
        public Elicitation {
            Objects.requireNonNull(message, "message");
            requestedSchema = requestedSchema == null ? Map.of("type", "object") : requestedSchema;
        }

        @Override
        public ClientFeature feature() {
            return ClientFeature.ELICITATION;
        }
    }

    record UrlElicitation(String message, String url, String elicitationId) implements InputRequest {
        public UrlElicitation {
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(elicitationId, "elicitationId");
        }

        @Override
        public ClientFeature feature() {
            return ClientFeature.ELICITATION_URL;
        }
    }

    record Sampling(SamplingRequest request) implements InputRequest {
        public Sampling {
            Objects.requireNonNull(request, "request");
        }

        @Override
        public ClientFeature feature() {
            return ClientFeature.SAMPLING;
        }
    }

    record Roots() implements InputRequest {
        @Override
        public ClientFeature feature() {
            return ClientFeature.ROOTS;
        }
    }
}
