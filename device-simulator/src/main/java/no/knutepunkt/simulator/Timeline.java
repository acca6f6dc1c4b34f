package no.knutepunkt.simulator;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.Comparator;
import java.util.PriorityQueue;

/**
 * Every message the pilot sends from {@code origin} on, in the order they are published, day by
 * day without end. A day's sessions start after 06:00 local time at the earliest, so once the next
 * message is due before the next day begins, no later day can still put one in front of it.
 */
public final class Timeline {

    private final SimulatedPilot pilot;
    private final MeasuringHabits habits;
    private final DeviceMessages messages;
    private final Instant origin;
    /** In publishing order; messages due at the same instant in the order they were written. */
    private record Entry(OutgoingMessage message, long order) {
    }

    private final PriorityQueue<Entry> queue = new PriorityQueue<>(
            Comparator.comparing((Entry e) -> e.message().publishAt()).thenComparingLong(Entry::order));
    private long written;
    private LocalDate generated;

    public Timeline(SimulatedPilot pilot, Instant origin) {
        this.pilot = pilot;
        this.habits = new MeasuringHabits(pilot.seed());
        this.messages = new DeviceMessages(new Physiology(pilot.seed()));
        this.origin = origin;
        this.generated = origin.atZone(PilotPlan.OSLO).toLocalDate().minusDays(1);
    }

    /** The next message to publish (published after the origin), without taking it. */
    public OutgoingMessage peek() {
        while (queue.isEmpty()
                || !queue.peek().message().publishAt().isBefore(PilotPlan.at(generated.plusDays(1), LocalTime.MIDNIGHT))) {
            generate(generated.plusDays(1));
        }
        return queue.peek().message();
    }

    public OutgoingMessage next() {
        peek();
        return queue.poll().message();
    }

    private void generate(LocalDate day) {
        generated = day;
        for (SimulatedPatient p : pilot.patients()) {
            for (Session s : habits.sessions(p, day)) {
                for (OutgoingMessage m : messages.write(s)) {
                    if (m.publishAt().isAfter(origin)) {
                        queue.add(new Entry(m, written++));
                    }
                }
            }
        }
    }
}
