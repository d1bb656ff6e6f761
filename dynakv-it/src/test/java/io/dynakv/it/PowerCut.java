package io.dynakv.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A power cut under one node's data directory, for real: the directory is an ext4 file system on
 * a loop device over an image file, and a cut replaces that disk by a copy of its image taken
 * after the node was killed. The copy holds exactly what the file system had sent to the device;
 * what sat in the page cache of the mounted ext4 (written but not fsynced) is not in it. Mounting
 * the copy replays ext4's journal, as a machine does after a power loss.
 *
 * <p>Fault model: the disk keeps every write that reached it and loses the rest; no torn sectors,
 * no reordering below the file system (ext4 issues flushes for fsync and the loop device honours
 * them by fsyncing the image). The file system is mounted with {@code commit=300}, so nothing but
 * an fsync (or the kernel's writeback of pages dirty for 30 s, longer than a test round) moves
 * data to the device: un-fsynced writes are lost with near certainty. Each cut checks that with a
 * canary file written without fsync just before the copy; a canary that survives fails the test,
 * since the cut would then prove nothing.
 *
 * <p>Needs root (mount, loop devices); {@link #available} says whether this machine allows it.
 * Device-mapper targets such as dm-flakey or dm-log-writes would model the same fault at the block
 * layer, but this kernel has no device-mapper.
 */
final class PowerCut implements AutoCloseable {

    private static final String IMAGE_SIZE = "256M";

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);

    private final Nodes nodes;
    private final Path mountPoint;
    private Path image;
    private int cuts;

    private PowerCut(Nodes nodes, Path mountPoint, Path image) {
        this.nodes = nodes;
        this.mountPoint = mountPoint;
        this.image = image;
    }

    /** True when this process may mount file systems (root on Linux). */
    static boolean available() {
        return "root".equals(System.getProperty("user.name")) && Files.isDirectory(Path.of("/proc/self"));
    }

    /** Makes a fresh ext4 image and mounts it at a new directory of this test. */
    static PowerCut mount(Nodes nodes, String name) {
        Path mountPoint = nodes.newDataDir(name + "-disk");
        Path image = mountPoint.resolveSibling(mountPoint.getFileName() + ".img");
        PowerCut disk = new PowerCut(nodes, mountPoint, image);
        disk.run("truncate", "-s", IMAGE_SIZE, image.toString());
        // Initialise inode tables and journal now, not by a background thread while a copy is taken.
        disk.run("mkfs.ext4", "-q", "-F", "-E", "lazy_itable_init=0,lazy_journal_init=0", image.toString());
        disk.mountImage();
        return disk;
    }

    /** The node's data directory on this disk (created on first use). */
    Path dataDir() {
        Path dir = mountPoint.resolve("node");
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Cuts the power: the disk becomes what the device held. Call it once the node is dead
     * (after {@code kill -9}), so that nothing writes during the copy.
     */
    void cut() {
        cuts++;
        Path canary = mountPoint.resolve("canary-" + cuts);
        try {
            Files.writeString(canary, "written without fsync just before the power cut", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path copy = image.resolveSibling(image.getFileName() + "." + cuts);
        run("cp", "--sparse=always", image.toString(), copy.toString());
        unmountImage(); // flushes the old disk's page cache into the old image, which is then dropped
        deleteImage();
        image = copy;
        mountImage();
        if (Files.exists(canary)) {
            throw new AssertionError("a file written without fsync survived the power cut: the fault model"
                    + " does not hold on this machine (" + canary + "), so the test would prove nothing");
        }
    }

    /** Unmounts the disk and deletes its image. Stop the node first: a running node keeps it busy. */
    @Override
    public void close() {
        unmountImage();
        deleteImage();
    }

    private void mountImage() {
        // -o loop detaches the loop device again at umount.
        run("mount", "-t", "ext4", "-o", "loop,commit=300", image.toString(), mountPoint.toString());
    }

    private void unmountImage() {
        run("umount", mountPoint.toString());
    }

    private void deleteImage() {
        try {
            Files.deleteIfExists(image);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void run(String... command) {
        NodeProcess.Exit exit = nodes.run("power-cut", List.of(command), Map.of(), COMMAND_TIMEOUT);
        if (exit.code() != 0) {
            throw new AssertionError(String.join(" ", command) + " exited " + exit.code() + ": " + exit.output());
        }
    }
}
