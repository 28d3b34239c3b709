// The instructor views' strings (`instructor.<key>`), locale fr.
export default {
  title: 'Enseignement',
};
