// The "Must show" bullets of issue 4, each with a few seeds (bench/membership.bench.ts runs the
// full 100 seeds at N = 50 and prints the figures). LAN timers, N = 50 unless stated.
import { expect } from 'chai';
import { crashDetectionBoundMs, LAN, suspicionMinMs } from '../../node/src/membership/config.js';
import { crashDetection, dissemination, idleCost, partitionHeal, soak } from './scenarios.js';

const N = 50;
const seeds = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

describe('membership must-show figures (simulation, few seeds)', function () {
  this.timeout(120_000);

  for (const loss of [0, 0.1]) {
    it(`a crashed member is declared dead by every live member within 10 s (${loss * 100}% loss)`, () => {
      for (const seed of seeds(100, 4)) {
        const r = crashDetection({ seed, n: N, config: LAN, loss });
        expect(r.allMs, `seed ${seed}: every member declared it dead`).to.not.equal(undefined);
        expect(r.allMs!, `seed ${seed}`).to.be.at.most(10_000);
        // Not before the minimum suspicion timeout: the suspect always gets its chance to refute.
        expect(r.firstMs, `seed ${seed}`).to.be.at.least(suspicionMinMs(LAN, N));
      }
    });
  }

  for (const kind of ['join', 'meta'] as const) {
    for (const loss of [0, 0.1]) {
      it(`a ${kind === 'join' ? 'join' : 'metadata update'} reaches 100% of members within 2 s (${loss * 100}% loss)`, () => {
        for (const seed of seeds(200, 4)) {
          const took = dissemination({ seed, n: N, config: LAN, loss, kind });
          expect(took, `seed ${seed}: reached everyone`).to.not.equal(undefined);
          expect(took!, `seed ${seed}`).to.be.at.most(2_000);
        }
      });
    }
  }

  it('declares no healthy member dead over 10 simulated minutes at 10% loss', () => {
    for (const seed of seeds(300, 2)) {
      const r = soak({ seed, n: N, config: LAN, loss: 0.1, durationMs: 600_000 });
      expect(r.falseDeaths, `seed ${seed}`).to.equal(0);
      expect(r.refutations, `seed ${seed}: every suspicion is refuted`).to.be.at.most(r.suspicions);
    }
  });

  it('declares no member dead while one is frozen in 1-5 s bursts (it is suspected and refutes)', () => {
    for (const seed of seeds(400, 2)) {
      const r = soak({ seed, n: N, config: LAN, loss: 0, durationMs: 600_000, freezeBursts: true });
      expect(r.freezes, `seed ${seed}`).to.be.at.least(30);
      expect(r.falseDeaths, `seed ${seed}`).to.equal(0);
      expect(r.suspicions, `seed ${seed}: the pauses were noticed`).to.be.at.least(r.freezes / 2);
      expect(r.refutations, `seed ${seed}`).to.be.at.least(r.freezes / 2);
    }
  });

  it('after a partition into two halves heals, every member sees everyone alive within 5 s', () => {
    for (const seed of seeds(500, 3)) {
      const r = partitionHeal({ seed, n: N, config: LAN, partitionMs: 30_000 });
      expect(r.deadDuringSplit, `seed ${seed}: each side declared the other dead`).to.equal(true);
      expect(r.healMs, `seed ${seed}: healed`).to.not.equal(undefined);
      expect(r.healMs!, `seed ${seed}`).to.be.at.most(5_000);
    }
  });

  it('idles at <= 2 UDP datagrams per member per second, each < 1400 bytes, plus push-pull', () => {
    const r = idleCost({ seed: 600, n: N, config: LAN, durationMs: 120_000, wire: true, key: 'k'.repeat(32) });
    expect(r.udpPerMemberPerSec).to.be.at.most(2);
    expect(r.udpPerMemberPerSec, 'it still probes').to.be.at.least(1.9);
    expect(r.maxPacketBytes).to.be.below(1400);
    expect(r.syncsPerMemberPerSec).to.be.within(0.1, 0.5);
  });

  it('scales: a 200-member cluster detects a crash within the computed bound', () => {
    const r = crashDetection({ seed: 700, n: 200, config: LAN, loss: 0.05 });
    expect(r.allMs).to.not.equal(undefined);
    expect(r.allMs!).to.be.at.most(crashDetectionBoundMs(LAN, 200));
  });

  it('runs the exact wire bytes (authenticated) in the simulator too', () => {
    const r = crashDetection({ seed: 800, n: 30, config: LAN, loss: 0.05, wire: true, key: 'k'.repeat(32) });
    expect(r.allMs).to.not.equal(undefined);
    expect(r.allMs!).to.be.at.most(10_000);
  });
});
