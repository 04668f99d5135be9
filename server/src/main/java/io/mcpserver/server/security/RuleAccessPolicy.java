package io.mcpserver.server.security;

import io.mcpserver.server.config.SecuritySettings;
import io.mcpserver.server.config.SecuritySettings.AccessRule;
import io.mcpserver.server.protocol.AccessPolicy;
import io.mcpserver.spi.Caller;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The authorization rules of {@code security.rules}: for each tool, resource or prompt name the first rule whose
 * pattern matches decides; a name no rule matches is open to every authenticated caller, or to none with
 * {@code security.default-policy: deny}. Scopes are expanded through {@code security.scope-implies} first, so a
 * broader scope grants the narrower ones.
 */
public final class RuleAccessPolicy implements AccessPolicy {

    private record Compiled(AccessRule rule, Pattern pattern) {
    }

    private final List<Compiled> rules;
    private final boolean defaultAllow;
    private final Map<String, List<String>> implies;

    public RuleAccessPolicy(List<AccessRule> rules, boolean defaultAllow, Map<String, List<String>> implies) {
        this.rules = rules.stream().map(r -> new Compiled(r, glob(r.match()))).toList();
        this.defaultAllow = defaultAllow;
        this.implies = Map.copyOf(implies);
    }

    public static RuleAccessPolicy of(SecuritySettings settings) {
        return new RuleAccessPolicy(settings.rules(), settings.defaultAllow(), settings.scopeImplies());
    }

    @Override
    public Optional<String> denial(Caller caller, Kind kind, String name) {
        Optional<AccessRule> rule = ruleFor(kind, name);
        if (rule.isEmpty()) {
            return defaultAllow ? Optional.empty() : Optional.of("no rule grants access to it (security.default-policy: deny)");
        }
        Set<String> granted = expand(caller.scopes());
        Set<String> missing = new TreeSet<>(rule.get().scopes());
        missing.removeAll(granted);
        if (!missing.isEmpty()) {
            return Optional.of("missing scope" + (missing.size() > 1 ? "s " : " ") + String.join(" ", missing));
        }
        Set<String> roles = rule.get().roles();
        if (!roles.isEmpty() && roles.stream().noneMatch(caller.roles()::contains)) {
            return Optional.of("needs one of the roles " + String.join(", ", new TreeSet<>(roles)));
        }
        return Optional.empty();
    }

    @Override
    public Set<String> requiredScopes(Kind kind, String name) {
        return ruleFor(kind, name).map(AccessRule::scopes).orElse(Set.of());
    }

    /** Every scope and role the rules name: what a fully trusted local caller is given. */
    public Set<String> allScopes() {
        Set<String> all = new TreeSet<>();
        rules.forEach(c -> all.addAll(c.rule().scopes()));
        return all;
    }

    public Set<String> allRoles() {
        Set<String> all = new TreeSet<>();
        rules.forEach(c -> all.addAll(c.rule().roles()));
        return all;
    }

    private Optional<AccessRule> ruleFor(Kind kind, String name) {
        return rules.stream().filter(c -> c.rule().kind() == kind && c.pattern().matcher(name).matches())
                .map(Compiled::rule).findFirst();
    }

    private Set<String> expand(Set<String> scopes) {
        if (implies.isEmpty()) {
            return scopes;
        }
        Set<String> all = new HashSet<>(scopes);
        Deque<String> todo = new ArrayDeque<>(scopes);
        while (!todo.isEmpty()) {
            for (String implied : implies.getOrDefault(todo.pop(), List.of())) {
                if (all.add(implied)) {
                    todo.push(implied);
                }
            }
        }
        return all;
    }

    /** {@code *} is any run of characters (slashes too, for URIs), {@code ?} one character; the rest is literal. */
    static Pattern glob(String pattern) {
        StringBuilder regex = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            if (c == '*' || c == '?') {
                if (!literal.isEmpty()) {
                    regex.append(Pattern.quote(literal.toString()));
                    literal.setLength(0);
                }
                regex.append(c == '*' ? ".*" : ".");
            } else {
                literal.append(c);
            }
        }
        if (!literal.isEmpty()) {
            regex.append(Pattern.quote(literal.toString()));
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }
}
