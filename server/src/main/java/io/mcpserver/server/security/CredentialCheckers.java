package io.mcpserver.server.security;

import io.mcpserver.server.protocol.ClientText;
import io.mcpserver.spi.auth.Credential;
import io.mcpserver.spi.auth.CredentialCheck;
import io.mcpserver.spi.auth.CredentialChecker;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Every credential checker, asked in order: the server's own (JWT for {@code bearer}, API keys for {@code apikey}),
 * then the plugins'. For one credential, each checker that names its scheme is asked until one accepts; when none
 * does, the first refusal is the answer. A plugin's checker runs with its plugin's class loader as the context
 * loader; one that throws refuses the credential, and is logged with its stack trace the first time only.
 */
public final class CredentialCheckers {

    private static final System.Logger LOG = System.getLogger(CredentialCheckers.class.getName());

    private final List<CredentialChecker> builtIn;
    private volatile Supplier<List<PluggedChecker>> plugins = List::of;

    CredentialCheckers(List<CredentialChecker> builtIn) {
        this.builtIn = List.copyOf(builtIn);
    }

    /** Where the plugins' checkers come from (read again whenever plugins are loaded or unloaded). */
    void plugins(Supplier<List<PluggedChecker>> plugins) {
        this.plugins = plugins;
    }

    /** Whether any checker, built in or a plugin's, takes credentials of {@code scheme}. */
    boolean accepts(String scheme) {
        return builtIn.stream().anyMatch(c -> c.schemes().contains(scheme))
                || plugins.get().stream().anyMatch(p -> p.schemes().contains(scheme));
    }

    /** The schemes a client may use, for messages: {@code [apikey, bearer]}. */
    Set<String> schemes() {
        Set<String> schemes = new TreeSet<>();
        builtIn.forEach(c -> schemes.addAll(c.schemes()));
        plugins.get().forEach(p -> schemes.addAll(p.schemes()));
        return schemes;
    }

    AuthResult check(Credential credential) {
        AuthFailure refusal = null;
        for (CredentialChecker checker : builtIn) {
            if (checker.schemes().contains(credential.scheme())) {
                CredentialCheck check = checker.check(credential);
                if (check.outcome() == CredentialCheck.Outcome.ACCEPTED) {
                    return new AuthResult.Authenticated(check.caller());
                }
                if (refusal == null && check.outcome() == CredentialCheck.Outcome.REFUSED) {
                    refusal = failure(check);
                }
            }
        }
        for (PluggedChecker plugged : plugins.get()) {
            if (plugged.schemes().contains(credential.scheme())) {
                CredentialCheck check = plugged.check(credential);
                if (check.outcome() == CredentialCheck.Outcome.ACCEPTED) {
                    return new AuthResult.Authenticated(check.caller());
                }
                if (refusal == null && check.outcome() == CredentialCheck.Outcome.REFUSED) {
                    refusal = failure(check);
                }
            }
        }
        if (refusal != null) {
            return refusal;
        }
        return new AuthFailure(AuthFailure.Reason.UNSUPPORTED_SCHEME, "credentials of the scheme '"
                + ClientText.shown(credential.scheme()) + "' are not accepted here; use " + howTo(schemes()));
    }

    /** How a client presents each scheme, for messages. */
    static String howTo(Set<String> schemes) {
        List<String> ways = new ArrayList<>();
        for (String scheme : schemes) {
            ways.add(switch (scheme) {
                case Credential.BEARER -> "a bearer token (Authorization: Bearer)";
                case Credential.API_KEY -> "an API key (Authorization: ApiKey, or X-API-Key)";
                default -> "a credential of the scheme '" + ClientText.shown(scheme) + "'";
            });
        }
        return ways.isEmpty() ? "nothing (no credential checker is configured)" : String.join(" or ", ways);
    }

    /** A refusal in the edge's terms: the server's own reasons keep their meaning; a plugin's is {@code rejected}. */
    private static AuthFailure failure(CredentialCheck check) {
        AuthFailure.Reason reason = AuthFailure.Reason.byWireName(check.reason()).orElse(AuthFailure.Reason.REJECTED);
        String description = reason == AuthFailure.Reason.REJECTED
                ? ClientText.shown(check.reason()) + ": " + ClientText.shown(check.description())
                : check.description();
        return new AuthFailure(reason, description);
    }

    /** A plugin's checker, with what it needs to run as the plugin's code. */
    public record PluggedChecker(String plugin, ClassLoader loader, CredentialChecker checker, Set<String> schemes,
                          java.util.concurrent.atomic.AtomicBoolean failedBefore) {

        public static PluggedChecker of(String plugin, ClassLoader loader, CredentialChecker checker) {
            Set<String> schemes = Set.of();
            try {
                schemes = Set.copyOf(checker.schemes().stream().map(s -> s.toLowerCase(java.util.Locale.ROOT)).toList());
            } catch (RuntimeException | LinkageError e) {
                LOG.log(System.Logger.Level.WARNING, "Plugin " + plugin + ": credential checker failed to name its "
                        + "schemes; it is not asked", e);
            }
            return new PluggedChecker(plugin, loader, checker, schemes, new java.util.concurrent.atomic.AtomicBoolean());
        }

        CredentialCheck check(Credential credential) {
            Thread thread = Thread.currentThread();
            ClassLoader before = thread.getContextClassLoader();
            thread.setContextClassLoader(loader);
            try {
                CredentialCheck check = checker.check(credential);
                return check != null ? check : CredentialCheck.notMine();
            } catch (RuntimeException | LinkageError e) {
                if (failedBefore.compareAndSet(false, true)) {
                    LOG.log(System.Logger.Level.WARNING, "Plugin " + plugin + ": credential checker '" + name()
                            + "' failed; the credential is refused (logged once)", e);
                } else {
                    LOG.log(System.Logger.Level.DEBUG, "Plugin " + plugin + ": credential checker failed again: " + e);
                }
                return CredentialCheck.refused("checker_failed", "the credential could not be checked");
            } finally {
                thread.setContextClassLoader(before);
            }
        }

        private String name() {
            try {
                return checker.name();
            } catch (RuntimeException | LinkageError e) {
                return checker.getClass().getName();
            }
        }
    }
}
