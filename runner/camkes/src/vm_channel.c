/*
 * The VMM's side of the Wasm runner's channel: presents the `channel`
 * dataport to the guest as a virtual PCI device (libsel4vmmplatsupport's
 * cross-VM connection: BAR 0 event registers, BAR 1 the buffer). A guest
 * write to the emit register signals `request`; the runner's `done` bumps
 * the consume-event register. No interrupt is injected: the guest's agent
 * polls the buffer, so it needs no kernel module.
 */
#include <camkes.h>
#include <vmlinux.h>
#include <sel4vm/guest_vm.h>

#include <sel4vmmplatsupport/drivers/cross_vm_connection.h>
#include <sel4vmmplatsupport/drivers/pci_helper.h>
#include <pci/helper.h>

/* Where the BARs are, per platform (CMakeLists.txt's wasm_channel_address). */
#define CONNECTION_BASE_ADDRESS WASM_CHANNEL_ADDRESS

extern dataport_caps_handle_t channel_handle;

static struct camkes_crossvm_connection connections[] = {
    {&channel_handle, request_emit, -1, "wasm-runner"},
};

static int done_callback(vm_t *vm, void *cookie)
{
    consume_connection_event(vm, connections[0].consume_badge, false);
    return 0;
}

extern seL4_Word done_notification_badge(void);

void init_wasm_channel(vm_t *vm, void *cookie)
{
    connections[0].consume_badge = done_notification_badge();
    int err = register_async_event_handler(connections[0].consume_badge, done_callback, NULL);
    ZF_LOGF_IF(err, "cannot register the Wasm runner's done event");
    err = cross_vm_connections_init(vm, CONNECTION_BASE_ADDRESS, connections, ARRAY_SIZE(connections));
    ZF_LOGF_IF(err, "cannot set up the Wasm runner's channel device");
}

DEFINE_MODULE(wasm_channel, NULL, init_wasm_channel)
