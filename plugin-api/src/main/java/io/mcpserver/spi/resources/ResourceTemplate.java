package io.mcpserver.spi.resources;

import io.mcpserver.spi.RequestContext;
import io.mcpserver.spi.content.ResourceContents;

import java.util.List;
import java.util.Map;

/**
 * Resources addressed by an RFC 6570 level-1 URI template such as {@code file:///logs/{name}}.
 * The server matches a requested URI against the template and passes the variables it extracted.
 */
public interface ResourceTemplate {

    ResourceTemplateDescriptor descriptor();

    /**
     * Reads the resource at {@code uri}.
     *
     * @throws ResourceNotFoundException when no resource exists for these variables
     */
    List<ResourceContents> read(String uri, Map<String, String> variables, RequestContext context) throws Exception;

    static ResourceTemplate of(ResourceTemplateDescriptor descriptor, Reader reader) {
        return new ResourceTemplate() {
            @Override
            public ResourceTemplateDescriptor descriptor() {
                return descriptor;
            }

            @Override
            public List<ResourceContents> read(String uri, Map<String, String> variables, RequestContext context)
                    throws Exception {
                return reader.read(uri, variables, context);
            }
        };
    }

    @FunctionalInterface
    interface Reader {
        List<ResourceContents> read(String uri, Map<String, String> variables, RequestContext context)
                throws Exception;
    }
}
