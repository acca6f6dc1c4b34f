package no.knutepunkt.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class TimelineTest {

    private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");

    @Test
    void messagesComeInPublishingOrderFromTheOriginOn() {
        SimulatedPilot pilot = PilotPlan.generate(6, 20, NOW);
        Instant origin = NOW.minus(Duration.ofDays(3)).plusSeconds(4321);
        Timeline timeline = new Timeline(pilot, origin);
        List<OutgoingMessage> sent = new ArrayList<>();
        while (timeline.peek().publishAt().isBefore(NOW)) {
            OutgoingMessage peeked = timeline.peek();
            OutgoingMessage m = timeline.next();
            assertThat(m).isSameAs(peeked);
            sent.add(m);
        }
        assertThat(sent).hasSizeGreaterThan(120);
        assertThat(sent).extracting(OutgoingMessage::publishAt).isSorted().allSatisfy(t -> assertThat(t).isAfter(origin));
        assertThat(sent).extracting(OutgoingMessage::vendor).contains("nordic-telecare", "acme-medical", "medgw");
        // The same history in every run with the seed, from whatever origin within it.
        Timeline again = new Timeline(PilotPlan.generate(6, 20, NOW), origin.plus(Duration.ofDays(1)));
        OutgoingMessage first = again.next();
        assertThat(sent).anySatisfy(m -> {
            assertThat(m.messageId()).isEqualTo(first.messageId());
            assertThat(m.payload()).isEqualTo(first.payload());
        });
    }

    @Test
    void simulatedTimeCatchesUpAndNeverRunsAhead() {
        MutableClock real = new MutableClock(NOW);
        Instant origin = NOW.minus(Duration.ofDays(2));
        SimulatedClock clock = new SimulatedClock(real, origin, 1440);

        assertThat(clock.now()).isEqualTo(origin);
        real.advance(Duration.ofMinutes(1));
        assertThat(clock.now()).as("a simulated day a minute").isEqualTo(origin.plus(Duration.ofDays(1)));
        assertThat(clock.realTimeOf(origin.plus(Duration.ofHours(36)))).isEqualTo(NOW.plus(Duration.ofSeconds(90)));
        assertThat(clock.caughtUp()).isFalse();

        real.advance(Duration.ofMinutes(5));
        assertThat(clock.now()).as("caught up: now, not later").isEqualTo(real.instant());
        assertThat(clock.caughtUp()).isTrue();
        // A measurement due later than now is published when real time gets there.
        Instant later = real.instant().plus(Duration.ofHours(2));
        assertThat(clock.realTimeOf(later)).isEqualTo(later);
    }

    private static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
