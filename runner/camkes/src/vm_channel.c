/*
 * The VMM's side of the Wasm runner's channel: presents the `channel`
 * dataport to the guest as a virtual PCI device (libsel4vmmplatsupport's
 * cross-VM connection: BAR 0 event registers, BAR 1 the buffer). A guest
 * write to the emit register signals `request`; the runner's `done` bumps
 * the consume-event register and raises the device's INTx interrupt.
 *
 * The interrupt follows PCI's rules, so the guest's stock uio_pci_generic
 * driver can take it (it has no device-specific code): `done` sets the
 * Interrupt Status bit (status register bit 3) and, unless the guest has set
 * Interrupt Disable (command register bit 10), injects the line; a pending
 * interrupt is injected when the guest clears Interrupt Disable. The guest's
 * handler masks (sets Interrupt Disable) when it sees the status bit, which
 * takes the interrupt: the bit clears. A new request (the emit register)
 * clears a stale one. The device starts with Interrupt Disable set, so a
 * guest without the driver gets no interrupts and polls.
 *
 * The library's own PCI emulation stores the command register but keeps the
 * status register at 0: the config-space accessors of the device's entry are
 * wrapped here for those two registers; everything else passes through.
 */
#include <stdbool.h>
#include <camkes.h>
#include <vmlinux.h>
#include <sel4vm/guest_vm.h>
#include <sel4vm/boot.h>
#include <sel4vm/guest_irq_controller.h>

#include <sel4vmmplatsupport/drivers/cross_vm_connection.h>
#include <sel4vmmplatsupport/drivers/pci_helper.h>
#include <pci/helper.h>

/* Where the BARs are, per platform (CMakeLists.txt's wasm_channel_address). */
#define CONNECTION_BASE_ADDRESS WASM_CHANNEL_ADDRESS

#define COMMAND_OFFSET 0x04
#define STATUS_OFFSET 0x06
#define COMMAND_INTX_DISABLE (1u << 10)
#define STATUS_INTERRUPT (1u << 3)

extern dataport_caps_handle_t channel_handle;
extern vmm_pci_space_t *pci;

static void request_from_guest(void);

static struct camkes_crossvm_connection connections[] = {
    {&channel_handle, request_from_guest, -1, "wasm-runner"},
};

/* The channel device's interrupt state and the library's accessors it wraps. */
static struct {
    vm_t *vm;
    vmm_pci_entry_t inner;
    bool pending;
    uint16_t command;
} device;

static void update_line(void)
{
    if (device.pending && !(device.command & COMMAND_INTX_DISABLE)) {
        int err = vm_inject_irq(device.vm->vcpus[BOOT_VCPU], get_crossvm_irq_num());
        if (err) {
            ZF_LOGE("cannot inject the Wasm runner channel's interrupt %d", get_crossvm_irq_num());
        }
    }
}

static void request_from_guest(void)
{
    device.pending = false; /* a reply not taken belongs to an earlier request */
    request_emit();
}

static int config_read(void *cookie, int offset, int size, uint32_t *result)
{
    int err = device.inner.ioread(device.inner.cookie, offset, size, result);
    if (!err && device.pending && offset <= STATUS_OFFSET && offset + size > STATUS_OFFSET) {
        *result |= STATUS_INTERRUPT << ((STATUS_OFFSET - offset) * 8);
    }
    return err;
}

static int config_write(void *cookie, int offset, int size, uint32_t value)
{
    /* The status register's bits are the device's (write 1 to clear): not stored. */
    if (offset >= STATUS_OFFSET && offset < STATUS_OFFSET + 2) {
        return 0;
    }
    if (offset <= STATUS_OFFSET && offset + size > STATUS_OFFSET) {
        size = STATUS_OFFSET - offset;
        value &= (1u << (size * 8)) - 1;
    }
    int err = device.inner.iowrite(device.inner.cookie, offset, size, value);
    if (err || offset > COMMAND_OFFSET + 1 || offset + size <= COMMAND_OFFSET) {
        return err;
    }
    uint32_t command = 0;
    err = device.inner.ioread(device.inner.cookie, COMMAND_OFFSET, 2, &command);
    if (err) {
        return err;
    }
    bool masking = (command & COMMAND_INTX_DISABLE) && !(device.command & COMMAND_INTX_DISABLE);
    device.command = command;
    if (masking) {
        device.pending = false; /* the guest's handler took the interrupt */
    } else {
        update_line();
    }
    return 0;
}

static int done_callback(vm_t *vm, void *cookie)
{
    consume_connection_event(vm, connections[0].consume_badge, false);
    device.pending = true;
    update_line();
    return 0;
}

extern seL4_Word done_notification_badge(void);

void init_wasm_channel(vm_t *vm, void *cookie)
{
    /* The connection device takes the first free slot on bus 0. */
    int slot = 0;
    while (slot < 32 && pci->bus0[slot][0] != NULL) {
        slot++;
    }
    /* runner/guest/BOARD.dts routes slot 1's INTA to this interrupt (SPI 50 on
     * qemu-arm-virt, SPI 220 on rpi4, tx1 and tx2: camkes-vm's free_plat_interrupts). */
    ZF_LOGF_IF(slot != 1, "the Wasm runner's channel device would be at PCI slot %d; the guest's DTS routes slot 1's interrupt", slot);

    connections[0].consume_badge = done_notification_badge();
    int err = register_async_event_handler(connections[0].consume_badge, done_callback, NULL);
    ZF_LOGF_IF(err, "cannot register the Wasm runner's done event");
    err = cross_vm_connections_init(vm, CONNECTION_BASE_ADDRESS, connections, ARRAY_SIZE(connections));
    ZF_LOGF_IF(err, "cannot set up the Wasm runner's channel device");

    vmm_pci_entry_t *entry = pci->bus0[slot][0];
    uint32_t identity = 0;
    ZF_LOGF_IF(entry == NULL || entry->ioread(entry->cookie, 0, 4, &identity) != 0 || identity != 0xa1111af4u,
               "the Wasm runner's channel device is not at PCI slot %d", slot);
    device.vm = vm;
    device.inner = *entry;
    entry->ioread = config_read;
    entry->iowrite = config_write;
    /* Interrupts off until a guest driver enables the device. */
    err = device.inner.iowrite(device.inner.cookie, COMMAND_OFFSET, 2, PCI_COMMAND_MEMORY | COMMAND_INTX_DISABLE);
    ZF_LOGF_IF(err, "cannot initialise the channel device's command register");
    device.command = PCI_COMMAND_MEMORY | COMMAND_INTX_DISABLE;
}

DEFINE_MODULE(wasm_channel, NULL, init_wasm_channel)
