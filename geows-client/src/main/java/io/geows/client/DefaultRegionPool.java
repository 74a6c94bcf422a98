package io.geows.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Healthy regions nearest first, a failed region moved to the back (remembered, not dropped, as
 * okhttp's {@code RouteDatabase} postpones failed routes). Not thread-safe: one client's loop.
 */
final class DefaultRegionPool implements RegionPool {
    private final List<Region> order = new ArrayList<>();

    @Override
    public void update(List<RegionProbe> probes, String preferredRegion) {
        List<RegionProbe> healthy = new ArrayList<>();
        List<RegionProbe> unhealthy = new ArrayList<>();
        for (RegionProbe p : probes) {
            (p.healthy() ? healthy : unhealthy).add(p);
        }
        // Stable sort: regions with equal or unknown round-trip times keep the order they were given in.
        healthy.sort(Comparator.comparing(RegionProbe::rtt, Comparator.nullsLast(Comparator.<Duration>naturalOrder())));
        order.clear();
        healthy.stream().filter(p -> p.region().name().equals(preferredRegion)).forEach(p -> order.add(p.region()));
        healthy.stream().filter(p -> !p.region().name().equals(preferredRegion)).forEach(p -> order.add(p.region()));
        // Unhealthy regions stay in the pool: when every healthy one has failed, they are the way out.
        unhealthy.forEach(p -> order.add(p.region()));
    }

    @Override
    public Region next() {
        return order.isEmpty() ? null : order.get(0);
    }

    @Override
    public void succeeded(Region region) {
        // Nothing to undo: a region only moves when it fails.
    }

    @Override
    public void failed(Region region) {
        if (order.remove(region)) {
            order.add(region);
        }
    }

    @Override
    public List<Region> regions() {
        return List.copyOf(order);
    }

    @Override
    public String toString() {
        return "RegionPool" + order;
    }
}
