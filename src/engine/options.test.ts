import { describe, expect, it } from 'vitest';
import { applyOptions, defaultSetup, OPTIONS, setupQuery } from './options';
import { planRuns } from './plan';

const fromUrl = (q: string) => applyOptions(new Map(new URLSearchParams(q)), (o) => o.urlKey);
const fromCli = (flags: Record<string, string>) =>
  applyOptions(new Map(Object.entries(flags)), (o) => o.cliFlag, 'tiny');

describe('option table', () => {
  it('URL and CLI read the same setting by one rule', () => {
    const url = fromUrl('preset=tiny&methods=kd,rkd&lambdas=0,0.5&teacherEpochs=2&lr=0.01&optimizer=sgd&threads=2');
    const cli = fromCli({
      '--methods': 'kd,rkd',
      '--lambdas': '0,0.5',
      '--teacher-epochs': '2',
      '--lr': '0.01',
      '--optimizer': 'sgd',
      '--threads': '2',
    });
    expect(url.problems).toEqual([]);
    expect(cli.problems).toEqual([]);
    expect(cli.setup.config).toEqual(url.setup.config);
    expect(url.setup.config.methods.map((m) => m.id)).toEqual(['kd', 'rkd']);
    expect(url.setup.config.lambdas).toEqual([0, 0.5]);
    expect(url.setup.config.teacherEpochs).toBe(2);
    expect(url.setup.threads).toBe(2);
  });

  it('a value that cannot be used is named with why, and the default stays', () => {
    const { setup, problems } = fromUrl(
      'lambdas=-1,abc&lr=NaN&threads=999&backend=bogus&methods=nope&teacherEpochs=1.5',
    );
    const lab = defaultSetup('lab');
    expect(setup.config.lambdas).toEqual(lab.config.lambdas);
    expect(setup.config.learningRate).toBe(lab.config.learningRate);
    expect(setup.config.methods).toEqual(lab.config.methods);
    expect(setup.threads).toBeUndefined();
    expect(setup.backend).toBeUndefined();
    expect(problems).toHaveLength(6);
    expect(problems[0]).toBe(
      'methods has unknown methods nope (known: kd, rkd, ctkd, kdpp, dkd, none); it was ignored.',
    );
    expect(problems).toContain(
      'lambdas must be a comma-separated list of numbers from 0 to 100 (got "-1,abc"); it was ignored.',
    );
    expect(problems).toContain('threads must be a whole number from 1 to 16 (got "999"); it was ignored.');
  });

  it('whole numbers are read only when written plainly: -0, 1e3, 0x10 and " 5" are named, not reinterpreted', () => {
    for (const text of ['-0', '1e3', '0x10', ' 5', '', '3.0', '+4']) {
      const { setup, problems } = fromUrl(`seed=${encodeURIComponent(text)}`);
      expect(setup.config.seed, text).toBe(defaultSetup('lab').config.seed);
      expect(problems, text).toEqual([
        `seed must be a whole number from 0 to 2147483647 (got "${text}"); it was ignored.`,
      ]);
    }
    expect(fromUrl('seed=12').setup.config.seed).toBe(12);
  });

  it('seed, data seed, bias strength and batch size survive a link', () => {
    const { setup, problems } = fromUrl('preset=quick&seed=5&dataSeed=11&biasStrength=0.35&batchSize=48');
    expect(problems).toEqual([]);
    expect(setup.config.seed).toBe(5);
    expect(setup.config.batchSize).toBe(48);
    expect(setup.config.dataset).toMatchObject({ kind: 'synthetic', seed: 11, biasStrength: 0.35 });
    expect(fromUrl(setupQuery(setup)).setup).toEqual(setup);
    expect(fromUrl('biasStrength=1.5').problems).toEqual([
      'biasStrength must be a number from 0 to 1 (got "1.5"); it was ignored.',
    ]);
  });

  it('a repeated λ or method is kept once, with a note, in the URL and on the command line alike', () => {
    const url = fromUrl('preset=tiny&lambdas=0,0,1,-0,1&methods=kd,kd,rkd');
    expect(url.setup.config.lambdas).toEqual([0, 1]);
    expect(url.setup.config.methods.map((m) => m.id)).toEqual(['kd', 'rkd']);
    expect(url.problems).toEqual([]);
    expect(url.notes).toEqual([
      'methods listed kd more than once; each value is kept once.',
      'lambdas listed 0, 1 more than once; each value is kept once.',
    ]);
    const cli = fromCli({ '--lambdas': '2,2' });
    expect(cli.setup.config.lambdas).toEqual([2]);
    expect(cli.notes).toEqual(['--lambdas listed 2 more than once; each value is kept once.']);
  });

  it('a shared URL restores the setup it was made from', () => {
    const { setup } = fromUrl('preset=tiny&methods=kd,dkd&lambdas=0,1,2&studentEpochs=3&baseline=0&charts=0');
    const query = setupQuery(setup);
    expect(query).toBe('preset=tiny&methods=kd%2Cdkd&lambdas=0%2C1%2C2&studentEpochs=3&baseline=0&charts=0');
    expect(fromUrl(query).setup).toEqual(setup);
    // The preset's own defaults are not repeated in the link.
    expect(setupQuery(defaultSetup('lab'))).toBe('preset=lab');
  });

  it('every option has a parser that accepts what its formatter writes', () => {
    const setup = { ...defaultSetup('tiny'), backend: 'wasm' as const, threads: 3 };
    for (const o of OPTIONS) {
      const v = o.get(setup);
      if (v === undefined) continue;
      expect(o.parse(o.format(v)), o.name).toEqual(v);
    }
  });

  it('a hyper-parameter sweep reads by key or symbol, writes back the same, and says what it cannot use', () => {
    const { setup, problems, notes } = fromUrl('preset=lab&methods=kd&sweep=kd.T%3D1%2C2%2C2%2C8');
    expect(problems).toEqual([]);
    expect(notes).toEqual(['kd.temperature listed 2 more than once; each value is trained once.']);
    expect(setup.config.sweeps).toEqual([{ method: 'kd', param: 'temperature', values: [1, 2, 8] }]);
    expect(setupQuery(setup)).toBe('preset=lab&sweep=kd.temperature%3D1%2C2%2C8');
    expect(fromUrl(setupQuery(setup)).setup).toEqual(setup);
    expect(fromCli({ '--sweep': 'kd.T=1,4;dkd.beta=4,8' }).setup.config.sweeps).toEqual([
      { method: 'kd', param: 'temperature', values: [1, 4] },
      { method: 'dkd', param: 'beta', values: [4, 8] },
    ]);
    expect(fromCli({ '--sweep': 'kd.T=0.1' }).problems).toEqual([
      '--sweep kd.T takes numbers from 0.5 to 50 (got "0.1"); it was ignored.',
    ]);
    expect(fromCli({ '--sweep': 'kd.gamma=1' }).problems).toEqual([
      '--sweep names no hyper-parameter of kd ("gamma"; it has T, alphaCE, alphaKD); it was ignored.',
    ]);
    expect(fromCli({ '--sweep': 'xx.T=1' }).problems[0]).toMatch(/^--sweep names an unknown method "xx"/);
    expect(fromCli({ '--sweep': 'T=1,2' }).problems[0]).toMatch(/^--sweep must read method.param=v1,v2/);
  });

  it('every setting of the built-in dataset survives a link, and one that does not fit is named', () => {
    const q =
      'preset=lab&design=shortcut&classes=6&examples=900&imageSize=24&cueStrength=0.5&labelNoise=0.1&hiddenDetail=0.25&detailContrast=0.7';
    const { setup, problems } = fromUrl(q);
    expect(problems).toEqual([]);
    expect(setup.config.dataset).toMatchObject({
      kind: 'synthetic',
      design: 'shortcut',
      classes: 6,
      examples: 900,
      size: 24,
      cueStrength: 0.5,
      labelNoise: 0.1,
      hiddenDetail: 0.25,
      detailContrast: 0.7,
    });
    expect(fromUrl(setupQuery(setup)).setup).toEqual(setup);
    expect(fromUrl('design=spiral').problems).toEqual(['design must be one of pairs, shortcut; it was ignored.']);
    expect(fromUrl('labelNoise=0.5').problems).toEqual([
      'labelNoise must be a number from 0 to 0.49 (got "0.5"); it was ignored.',
    ]);
  });

  it('models, the adversary and each method hyper-parameter are options too; only what differs from the preset is written', () => {
    const q =
      'preset=tiny&methods=kd,dkd&teacher=lab-teacher&student=small-student&params=dkd.beta%3D6%3Bkd.T%3D2&adversaryHidden=16&adversaryLr=0.002&adversaryWarmup=2&schedule=linear&projection=1&equalizedOdds=1';
    const { setup, problems } = fromUrl(q);
    expect(problems).toEqual([]);
    expect(setup.config.teacherModel).toBe('lab-teacher');
    expect(setup.config.studentModel).toBe('small-student');
    expect(setup.config.methods).toEqual([
      { id: 'kd', params: { temperature: 2 } },
      // The preset's short-run warm-up stays; beta is the one given.
      { id: 'dkd', params: { warmupEpochs: 3, beta: 6 } },
    ]);
    expect(setup.config.debias).toEqual({
      hidden: 16,
      adversaryLr: 0.002,
      warmupEpochs: 2,
      schedule: 'linear',
      projection: true,
      equalizedOdds: true,
    });
    expect(new URLSearchParams(setupQuery(setup)).get('params')).toBe('kd.temperature=2;dkd.beta=6');
    expect(fromUrl(setupQuery(setup)).setup).toEqual(setup);
    expect(fromUrl('params=dkd.beta%3D99').problems).toEqual([
      'params dkd.beta takes a number from 0 to 50 (got "99"); it was ignored.',
    ]);
    expect(fromUrl('teacher=resnet').problems[0]).toMatch(/^teacher must be one of tiny-teacher, /);
  });
});

describe('a method’s own λ values (--method-lambdas)', () => {
  it('URL and CLI plan the study’s grid: CKD over the experiment’s λ, RKD and DKD over their own', () => {
    const cli = fromCli({ '--methods': 'kd,rkd,dkd', '--lambdas': '0,0.5,8', '--method-lambdas': 'rkd=0,4;dkd=2' });
    const url = fromUrl('preset=tiny&methods=kd,rkd,dkd&lambdas=0,0.5,8&methodLambdas=rkd%3D0%2C4%3Bdkd%3D2');
    expect(cli.problems).toEqual([]);
    expect(url.setup.config).toEqual(cli.setup.config);
    expect(planRuns({ ...cli.setup.config, baseline: false }).map((r) => r.label)).toEqual([
      'CKD λ=0',
      'CKD λ=0.5',
      'CKD λ=8',
      'RKD λ=0',
      'RKD λ=4',
      'DKD λ=2',
    ]);
    // The link carries it back.
    expect(setupQuery(cli.setup)).toContain(`methodLambdas=${encodeURIComponent('rkd=0,4;dkd=2')}`);
  });

  it('a malformed, repeated or out-of-range entry is named and ignored', () => {
    for (const [text, why] of [
      ['rkd=0,200', 'rkd takes λ values from 0 to 100 (got "0,200")'],
      ['rkd=0;rkd=1', 'gives rkd its λ values twice'],
      ['xyz=0', 'names an unknown method "xyz" (known: kd, rkd, ctkd, kdpp, dkd)'],
      ['rkd', 'must read method=λ1,λ2 (e.g. rkd=0,2,4); got "rkd"'],
      ['rkd=0x4', 'rkd takes λ values from 0 to 100 (got "0x4")'],
    ]) {
      const { setup, problems } = fromCli({ '--methods': 'kd,rkd', '--method-lambdas': text });
      expect(problems, text).toEqual([`--method-lambdas ${why}; it was ignored.`]);
      expect(
        setup.config.methods.every((m) => m.lambdas === undefined),
        text,
      ).toBe(true);
    }
  });
});

describe('settings that would be dropped or reinterpreted without a word are named', () => {
  it('params for a method not chosen, a parameter given twice, a radix form, a fraction of an epoch, an empty sweep', () => {
    const cases: [Record<string, string>, string][] = [
      [
        { '--methods': 'kd', '--params': 'rkd.distanceWeight=2' },
        '--params names rkd, not among the methods (kd): add it to the methods or leave its settings out; it was ignored.',
      ],
      [
        { '--methods': 'kd', '--params': 'kd.T=2;kd.T=3' },
        '--params gives kd.T twice; give each hyper-parameter once; it was ignored.',
      ],
      [
        { '--methods': 'kd', '--params': 'kd.T=0x10' },
        '--params kd.T takes a number from 0.5 to 50 (got "0x10"); it was ignored.',
      ],
      [
        { '--methods': 'kd', '--sweep': 'kd.T=0x10,2' },
        '--sweep kd.T takes numbers from 0.5 to 50 (got "0x10,2"); it was ignored.',
      ],
      [
        { '--methods': 'ctkd', '--params': 'ctkd.curriculumEpochs=1.5' },
        '--params ctkd.curriculumEpochs takes a whole number (got "1.5"); it was ignored.',
      ],
      [
        { '--methods': 'ctkd', '--sweep': 'ctkd.curriculumEpochs=2,2.5' },
        '--sweep ctkd.curriculumEpochs takes whole numbers (got "2,2.5"); it was ignored.',
      ],
      [{ '--sweep': '' }, '--sweep is empty; give method.param=v1,v2 (e.g. kd.T=1,2,4,8); it was ignored.'],
      [
        { '--methods': 'kd', '--method-lambdas': 'dkd=0,1' },
        '--method-lambdas names dkd, not among the methods (kd): add it to the methods or leave its settings out; it was ignored.',
      ],
    ];
    for (const [flags, why] of cases) expect(fromCli(flags).problems, JSON.stringify(flags)).toEqual([why]);
    // The same rule in a link.
    expect(fromUrl('methods=kd&params=kd.T%3D2%3Bkd.T%3D3').problems).toEqual([
      'params gives kd.T twice; give each hyper-parameter once; it was ignored.',
    ]);
    expect(fromCli({ '--methods': 'ctkd', '--params': 'ctkd.curriculumEpochs=3' }).problems).toEqual([]);
  });
});
