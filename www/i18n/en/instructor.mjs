// The instructor views' strings (`instructor.<key>`), locale en.
export default {
  title: 'Teaching',
};
