package io.mcpserver.server.registry;

/** The lists a client can be told have changed. */
public enum ChangeKind {
    TOOLS("notifications/tools/list_changed"),
    RESOURCES("notifications/resources/list_changed"),
    PROMPTS("notifications/prompts/list_changed");

    private final String notification;

    ChangeKind(String notification) {
        this.notification = notification;
    }

    public String notification() {
        return notification;
    }
}
